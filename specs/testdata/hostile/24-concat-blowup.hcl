# want: Spec limit exceeded: 
locals {
  a = flatten([for a in range(90): range(1000)])
  x = concat(local.a, local.a, local.a)
}

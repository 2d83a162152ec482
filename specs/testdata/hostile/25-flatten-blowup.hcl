# want: Spec limit exceeded: 
locals {
  a = [for i in range(500): range(500)]
  x = flatten(local.a)
}

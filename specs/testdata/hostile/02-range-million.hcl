# want: Spec limit exceeded: 
locals {
  x = flatten([for a in range(1000): range(1000)])
}

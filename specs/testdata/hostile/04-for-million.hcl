# want: Spec limit exceeded: 
locals {
  x = [for i in flatten([for a in range(1000): range(1000)]): i]
}

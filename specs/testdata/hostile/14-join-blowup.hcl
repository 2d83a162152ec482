# want: Spec limit exceeded: 
locals {
  s = join("", [for i in range(1000): "0123456789"])
  x = join(local.s, flatten([for a in range(50): range(1000)]))
}

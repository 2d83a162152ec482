# want: Spec limit exceeded: collection length
locals {
  s = join("", [for i in flatten([for a in range(20): range(1000)]): "0123456789"])
  x = split("", local.s)
}

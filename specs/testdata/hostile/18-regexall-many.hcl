# want: Spec limit exceeded: 
locals {
  s = join("", [for i in flatten([for a in range(20): range(1000)]): "abcdefghij"])
  x = regexall(".", local.s)
}

# want: Spec limit exceeded: 
locals {
  s = join("", [for i in flatten([for a in range(20): range(1000)]): "abcdefghij"])
  p = join("|", [for i in flatten([for a in range(5): range(1000)]): "x${i}y"])
  x = [for i in range(100): regexall(local.p, local.s)]
}

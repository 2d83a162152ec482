# want: Spec limit exceeded: 
locals {
  s = join("", [for i in flatten([for a in range(10): range(1000)]): "a"])
  x = replace(local.s, "/a/", local.s)
}

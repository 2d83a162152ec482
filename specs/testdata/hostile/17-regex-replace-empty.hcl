# want: Spec limit exceeded: 
locals {
  s = join("", [for i in flatten([for a in range(10): range(1000)]): "abcdefghij"])
  x = regex_replace(local.s, "", "0123456789")
}

# want: Spec limit exceeded: 
locals {
  a = join("", [for i in range(1000): "0123456789"])
  b = join("", [for i in range(1000): local.a])
  c = strrev(local.b)
  d = [for i in range(1000): strrev(local.b)]
}

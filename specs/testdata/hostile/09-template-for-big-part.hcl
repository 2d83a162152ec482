# want: Spec limit exceeded: 
locals {
  s = join("", [for i in range(1000): "0123456789"])
  x = "%{for i in flatten([for a in range(10): range(1000)])}${local.s}%{endfor}"
}

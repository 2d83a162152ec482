# want: Spec limit exceeded: 
locals {
  f = file("small")
  x = "%{for i in flatten([for a in range(10): range(1000)])}${local.f}%{endfor}"
}

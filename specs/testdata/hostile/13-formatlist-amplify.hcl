# want: Spec limit exceeded: 
locals {
  f = join("", [for i in flatten([for a in range(3): range(1000)]): "%s"])
  x = formatlist(local.f, flatten([for a in range(90): range(1000)]))
}

# want: Spec limit exceeded: 
locals {
  s = join("\n", flatten([for a in range(50): range(1000)]))
  x = indent(1000000, local.s)
}

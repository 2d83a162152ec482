# want: Spec limit exceeded: parseint/tonumber input
locals {
  s = join("", [for i in flatten([for a in range(5): range(1000)]): "1"])
  x = tonumber(local.s)
}

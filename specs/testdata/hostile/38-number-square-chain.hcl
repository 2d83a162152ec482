# want: Spec limit exceeded: number
locals {
  a = 1e300
  b = local.a * local.a
  c = local.b * local.b
  d = local.c * local.c
  e = tostring(local.d)
}

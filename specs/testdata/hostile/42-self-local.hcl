# want: Cycle in locals
locals {
  a = [local.a, local.a]
}

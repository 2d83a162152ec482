# want: Spec limit exceeded: number
locals {
  x = 1e999999999
}

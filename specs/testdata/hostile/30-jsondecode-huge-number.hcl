# want: Spec limit exceeded: number
locals {
  x = jsondecode("1e999999999")
}

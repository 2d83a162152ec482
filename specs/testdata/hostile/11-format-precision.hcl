# want: Spec limit exceeded: string length
locals {
  x = format("%.999999999f", 1)
}

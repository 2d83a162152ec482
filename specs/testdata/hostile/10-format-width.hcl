# want: Spec limit exceeded: string length
locals {
  x = format("%999999999d", 1)
}

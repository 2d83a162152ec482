# want: Spec limit exceeded: collection length
locals {
  x = range(0, 1, 0.0000001)
}

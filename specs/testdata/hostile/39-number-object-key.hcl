# want: Spec limit exceeded: number
locals {
  x = { (1e300 * 1e300) = 1 }
}

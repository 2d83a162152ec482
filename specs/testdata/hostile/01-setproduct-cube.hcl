# want: Spec limit exceeded: collection length
locals {
  x = length(setproduct(range(1000), range(1000), range(1000)))
}

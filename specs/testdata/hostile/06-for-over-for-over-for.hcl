# want: Spec limit exceeded: evaluation iterations
locals {
  x = [for a in range(100): [for b in range(100): [for c in range(100): c]]]
}

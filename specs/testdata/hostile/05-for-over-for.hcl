# want: Spec limit exceeded: 
locals {
  x = [for a in range(1000): [for b in range(1000): a * b]]
}

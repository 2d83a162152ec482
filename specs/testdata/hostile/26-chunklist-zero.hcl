# want: Spec limit exceeded: 
locals {
  x = chunklist(flatten([for a in range(100): range(1000)]), 1)
}

# want: Spec limit exceeded: 
locals {
  x = distinct(flatten([for a in range(100): range(1000)]))
}

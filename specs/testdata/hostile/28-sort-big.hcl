# want: Spec limit exceeded: 
locals {
  x = [for i in range(100): sort([for j in flatten([for a in range(50): range(1000)]): tostring(j)])]
}

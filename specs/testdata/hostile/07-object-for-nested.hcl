# want: Spec limit exceeded: 
locals {
  x = {for a in flatten([for a in range(2): range(1000)]): a => {for b in flatten([for a in range(2): range(1000)]): b => a}}
}

# want: Spec limit exceeded: 
locals {
  j = "[${join(",", flatten([for a in range(100): range(1000)]))},${join(",", flatten([for a in range(100): range(1000)]))}]"
  x = jsondecode(local.j)
}

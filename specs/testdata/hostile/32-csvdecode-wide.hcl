# want: Spec limit exceeded: 
locals {
  c = "a,b\n${join("\n", [for i in flatten([for a in range(90): range(1000)]): "1,2"])}"
  x = csvdecode(local.c)
}

# want: Spec limit exceeded: 
variable "v" {
  default = [for a in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]: [for b in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]: [for c in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]: [for d in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]: [for e in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]: [for f in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]: "x"]]]]]]
}

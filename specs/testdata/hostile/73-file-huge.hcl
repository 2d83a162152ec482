# want: larger than
locals {
  x = file("big")
}

# want: not a regular file
locals {
  x = file("zero")
}

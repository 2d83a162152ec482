# want: not a regular file
locals {
  x = file("fifo")
}

# want: valid
locals {
  x = tostring(pow(10, 400))
}

# want: Invalid function argument
locals {
  x = regex("((a{1000}){1000}){1000}", "aaa")
}

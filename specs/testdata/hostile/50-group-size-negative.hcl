# want: Invalid value for "size"
group "g" {
  size = -1
  instance "docker" { image = "x" }
  flavor "vanilla" {}
}

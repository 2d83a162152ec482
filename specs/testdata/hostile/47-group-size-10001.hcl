# want: Invalid value for "size"
group "g" {
  size = 10001
  instance "docker" { image = "x" }
  flavor "vanilla" {}
}

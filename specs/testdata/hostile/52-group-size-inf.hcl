# want: Invalid value for "size"
group "g" {
  size = pow(10, 400)
  instance "docker" { image = "x" }
  flavor "vanilla" {}
}

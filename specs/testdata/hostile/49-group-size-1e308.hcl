# want: Invalid value for "size"
group "g" {
  size = 1e308
  instance "docker" { image = "x" }
  flavor "vanilla" {}
}

# want: Invalid value for "size"
group "g" {
  size = 1e9
  instance "docker" { image = "x" }
  flavor "vanilla" {}
}

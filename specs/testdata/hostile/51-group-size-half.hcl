# want: Invalid value for "size"
group "g" {
  size = 0.5
  instance "docker" { image = "x" }
  flavor "vanilla" {}
}

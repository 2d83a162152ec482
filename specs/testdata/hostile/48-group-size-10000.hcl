# want: valid
group "g" {
  size = 10000
  instance "docker" { image = "x" }
  flavor "vanilla" {}
}

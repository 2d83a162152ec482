# want: Invalid value for "grace"
group "g" {
  size = 1
  instance "docker" { image = "x" }
  flavor "vanilla" {}
  health { grace = "99999999999h" }
}

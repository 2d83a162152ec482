# want: Invalid value for "max"
group "g" {
  size = 1
  instance "docker" { image = "x" }
  flavor "vanilla" {}
  autoscale {
    min = 1
    max = 1e6
    metric "cpu" { target = 50 }
  }
}

# want: Invalid value for "max"
swarm "s" {}
group "m" {
  size = 1
  instance "docker" { image = "x" }
  flavor "swarm" {
    swarm = swarm.s
    role  = "manager"
  }
}
service "w" {
  swarm = swarm.s
  image = "x"
  autoscale {
    min = 1
    max = 20000
    metric "cpu" { target = 50 }
  }
}

# want: Invalid value for "replicas"
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
  replicas = 1e15
}

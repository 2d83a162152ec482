# want: Spec limit exceeded: number
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
  user = 1e300 * 1e300
}

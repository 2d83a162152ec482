# swarm: a Docker swarm of node containers on this machine (Docker-in-Docker),
# one manager and two workers, running a published service.

variable "workers" { default = 2 }

locals {
  node_image = "drover/node:bookworm" # built offline by drover
  app_image  = "drover/demo-app:latest"
}

provider "docker" "local" {}

swarm "demo" {}

group "managers" {
  size = 1
  instance "docker" {
    image          = local.node_image
    node           = true
    preload_images = [local.app_image]
  }
  flavor "swarm" {
    swarm = swarm.demo
    role  = "manager"
  }
  health {
    grace = "1m"
  }
}

group "workers" {
  size = var.workers
  instance "docker" {
    image          = local.node_image
    node           = true
    preload_images = [local.app_image]
  }
  flavor "swarm" {
    swarm  = swarm.demo
    role   = "worker"
    labels = { zone = "a" }
  }
  health {
    grace = "1m"
  }
}

network "backend" {
  swarm      = swarm.demo
  attachable = true
}

service "web" {
  swarm       = swarm.demo
  image       = local.app_image
  replicas    = 6
  ports       = ["8080:8080"]
  networks    = [network.backend]
  env         = { GREETING = "hello from the swarm" }
  constraints = ["node.role == worker"]

  update {
    parallelism = 2
    order       = "start-first"
  }
  restart {
    delay = "1s"
  }
}

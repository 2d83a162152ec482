# swarm: a Docker swarm of node containers on this machine (Docker in Docker),
# one manager and two workers, running a published service.
#
#   make node-image                        # once: drover/node:bookworm from Debian packages
#   bin/drover apply examples/swarm.hcl    # or make demo-swarm, which also says how to break it

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
    networks       = ["drover-swarm-demo"] # created when missing
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
    networks       = ["drover-swarm-demo"]
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
  swarm    = swarm.demo
  image    = local.app_image
  replicas = 6
  # Each task publishes 8080 on a random port of its node. With IPVS in the
  # kernel, ports = ["8080:8080"] and publish_mode = "ingress" (the default)
  # answer on every node through the routing mesh instead.
  ports        = ["8080"]
  publish_mode = "host"
  networks     = [network.backend]
  env          = { GREETING = "hello from the swarm" }
  constraints  = ["node.role == worker"]

  update {
    parallelism = 2
    order       = "start-first"
  }
  restart {
    delay = "1s"
  }
}

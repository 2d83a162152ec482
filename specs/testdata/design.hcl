variable "workers" { default = 2 }

provider "docker" "local" {}                 # the local engine (DOCKER_HOST honoured)
provider "digitalocean" "fra1" {
  token  = env("DIGITALOCEAN_TOKEN")         # sensitive: never printed, logged or stored in plans
  region = "fra1"
}

swarm "dev" {}                               # a swarm of node containers on this machine
swarm "prod" {}                              # a swarm of droplets

group "dev" {
  size = 3
  instance "docker" {                        # plugin name; the block body is the plugin's properties
    provider       = provider.docker.local
    image          = "drover/node:bookworm"  # built offline by drover; docker:dind where a registry exists
    node           = true                    # the container runs its own dockerd (a swarm node)
    preload_images = ["demo/whoami:1"]
  }
  flavor "swarm" {
    swarm = swarm.dev
    role  = "manager"
  }
}

group "managers" {
  logical_ids = ["m1", "m2", "m3"]           # or: size = 3
  instance "digitalocean" {
    provider = provider.digitalocean.fra1
    size     = "s-1vcpu-2gb"
    image    = "docker-20-04"
  }
  flavor "swarm" {
    swarm = swarm.prod
    role  = "manager"
  }
  health {
    grace           = "5m"
    unhealthy_after = "30s"
  }
  update {
    max_surge       = 1
    max_unavailable = 0
    delay           = "30s"
  }
}

group "workers" {
  size = var.workers
  instance "digitalocean" {
    provider = provider.digitalocean.fra1
    size     = "s-1vcpu-1gb"
    image    = "docker-20-04"
  }
  flavor "swarm" {
    swarm  = swarm.prod
    role   = "worker"
    labels = { zone = "a" }
  }
  autoscale {
    min           = 2
    max           = 10
    cooldown_up   = "1m"
    cooldown_down = "10m"
    metric "swarm_pending_tasks" {}          # grow when tasks cannot be placed
    metric "cpu" { target = 0.6 }
  }
}

network "backend" {                          # an overlay network on the prod swarm
  swarm      = swarm.prod
  driver     = "overlay"
  attachable = true
}

service "web" {
  swarm       = swarm.prod
  image       = "demo/whoami:1"
  replicas    = 6                            # or: mode = "global"
  ports       = ["8080:8080"]
  networks    = [network.backend]
  env         = { GREETING = "hello" }
  constraints = ["node.role == worker"]
  resources {
    reserve_cpu  = 0.1
    limit_memory = "64MiB"
  }
  update {
    parallelism    = 2
    delay          = "5s"
    failure_action = "rollback"
    order          = "start-first"
  }
  restart {
    condition = "any"
    delay     = "2s"
  }
  autoscale {
    min = 2
    max = 20
    metric "cpu" { target = 0.5 }
  }
}

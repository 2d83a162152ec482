# digitalocean: a production swarm of droplets. The token is read from the
# environment and is never printed, logged or stored in plans.

variable "workers" { default = 3 }

provider "digitalocean" "fra1" {
  token  = env("DIGITALOCEAN_TOKEN")
  region = "fra1"
}

swarm "prod" {}

group "managers" {
  logical_ids = ["m1", "m2", "m3"] # fixed identities keep the quorum
  instance "digitalocean" {
    size  = "s-1vcpu-2gb"
    image = "docker-20-04"
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
    size       = "s-1vcpu-1gb"
    image      = "docker-20-04"
    monitoring = true
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
    metric "swarm_pending_tasks" {}
    metric "cpu" { target = 0.6 }
  }
}

network "backend" {
  swarm      = swarm.prod
  driver     = "overlay"
  attachable = true
}

service "web" {
  swarm       = swarm.prod
  image       = "demo/whoami:1"
  replicas    = 6
  ports       = ["8080:8080"]
  networks    = [network.backend]
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
  autoscale {
    min = 2
    max = 20
    metric "cpu" { target = 0.5 }
  }
}

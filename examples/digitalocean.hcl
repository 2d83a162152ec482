# digitalocean: a production swarm of droplets. The token is read from the
# environment and is never printed, logged or stored in plans.
#
# engine = "tls": each droplet's user data installs Docker if the image
# lacks it and serves the engine's API on port 2376 with mutual TLS, with a
# certificate of a CA drover makes for this swarm (kept in
# <data-dir>/swarm-ca/<owner>/prod/). drover then forms the swarm through
# those engines; join tokens never go into user data. Allow 2376/tcp only
# from the controller's address in a cloud firewall, and 2377/tcp,
# 7946/tcp+udp and 4789/udp between the droplets (docs/swarm.md).

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
    swarm  = swarm.prod
    role   = "manager"
    engine = "tls" # reached over mutual TLS on :2376
  }
  health {
    grace           = "5m" # boot, cloud-init, a Docker install and the join
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
    engine = "tls"
    labels = { zone = "a" }
  }
  health { grace = "5m" }
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

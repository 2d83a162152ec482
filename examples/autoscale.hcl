# autoscale: a swarm of node containers on this machine whose service scales
# on its tasks' CPU, and whose worker group grows when the service's CPU
# reservations no longer fit on its workers, and shrinks when they fit on
# fewer.
#
#   make node-image                                   # once
#   bin/drover run &                                   # the daemon: it runs the autoscalers
#   bin/drover apply examples/autoscale.hcl            # 1 manager, 1 worker, web at 2 replicas
#   bin/drover apply -var load=0.3 examples/autoscale.hcl
#       # every task burns 0.3 of a core, over its 0.2 target: web grows to
#       # its max of 4, whose reservations (0.6 of a core each, 3 a worker)
#       # need a second worker: the workers group grows
#   bin/drover status; bin/drover events -f             # what the autoscalers read and decide
#   bin/drover apply -var load=0 examples/autoscale.hcl
#       # idle again: web goes back to 2 after its one-minute stabilization
#       # window, and the worker whose tasks fit elsewhere is drained and
#       # removed
#
# Or make single tasks busy: POST http://NODE:PORT/load?cpu=0.9 to a task
# (see `make demo-swarm` for how to find a task's address).

variable "load" {
  description = "share of a core each task of web burns"
  default     = 0
}

locals {
  node_image = "drover/node:bookworm" # built offline by drover
  app_image  = "drover/demo-app:latest"
}

provider "docker" "local" {}

swarm "scaling" {}

group "managers" {
  size = 1
  instance "docker" {
    image          = local.node_image
    node           = true
    networks       = ["drover-autoscale"] # created when missing
    preload_images = [local.app_image]
  }
  flavor "swarm" {
    swarm = swarm.scaling
    role  = "manager"
  }
  health {
    grace = "1m"
  }
}

group "workers" {
  instance "docker" {
    image          = local.node_image
    node           = true
    networks       = ["drover-autoscale"]
    preload_images = [local.app_image]
  }
  flavor "swarm" {
    swarm = swarm.scaling
    role  = "worker"
  }
  health {
    grace = "1m"
  }
  autoscale {
    min                  = 1
    max                  = 3
    cooldown_up          = "0s"
    cooldown_down        = "30s"
    stabilization_window = "1m" # a worker must be unneeded this long to go
    metric "swarm_pending_tasks" {}
  }
}

service "web" {
  swarm        = swarm.scaling
  image        = local.app_image
  ports        = ["8080"]
  publish_mode = "host"
  env          = { LOAD = tostring(var.load) }
  constraints  = ["node.role == worker"]
  resources {
    reserve_cpu = 0.6 # a node container has the machine's 2 cores: 3 tasks a worker
  }
  update {
    parallelism = 2
    order       = "start-first"
  }
  autoscale {
    min                  = 2
    max                  = 4
    interval             = "10s"
    cooldown_up          = "10s"
    cooldown_down        = "30s"
    stabilization_window = "1m"
    metric "cpu" {
      target = 0.2 # of a core per task: this machine has 2 cores for all the tasks
    }
  }
}

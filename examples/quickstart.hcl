# quickstart: three containers of a small web app on the local Docker engine.
# `make demo` builds the image and applies this spec; remove a container with
# `docker rm -f` and watch drover replace it.

variable "replicas" {
  type        = number
  default     = 3
  description = "how many app containers to run"
}

provider "docker" "local" {} # the local engine; DOCKER_HOST is honoured

group "web" {
  size = var.replicas

  instance "docker" {
    image  = "drover/demo-app:latest" # built locally by `make demo`
    env    = { GREETING = "hello from drover" }
    ports  = ["8080/tcp"]
    labels = { "example" = "quickstart" }
  }

  flavor "vanilla" {}

  health {
    grace           = "20s"
    unhealthy_after = "10s"
  }
}

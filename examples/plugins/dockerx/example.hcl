# An external plugin: the docker provider served by the example plugin
# binary drover-plugin-dockerx (see README.md here). Build it into the
# plugin directory, then use it exactly like the built-in docker provider:
#
#   go build -o ~/.local/share/drover/plugins/drover-plugin-dockerx ./examples/plugins/dockerx
#   scripts/build-demo-image.sh   # the drover/demo-app image (make demo also builds it)
#   drover validate examples/plugins/dockerx/example.hcl
#   drover apply examples/plugins/dockerx/example.hcl

variable "replicas" {
  type    = number
  default = 3
}

# The plugin gets no environment from drover but PATH, HOME, TMPDIR and LANG:
# name a remote engine here (host = "tcp://..."), not in DOCKER_HOST.
provider "dockerx" "local" {}

group "web" {
  size = var.replicas

  instance "dockerx" {
    image  = "drover/demo-app:latest"
    env    = { GREETING = "hello from an external plugin" }
    ports  = ["8080/tcp"]
    labels = { "example" = "dockerx" }
  }

  flavor "vanilla" {}

  health {
    grace           = "20s"
    unhealthy_after = "10s"
  }
}

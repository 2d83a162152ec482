# gitops: the spec a git source follows. Put this directory in a
# repository, then let the daemon follow it (see docs/gitops.md):
#
#   drover source add web --url file:///srv/git/web.git --path deploy \
#       --env GREETING --prune
#
# Every commit to the branch is applied; a commit that does not load is
# refused at file:line and the one before keeps running.

variable "replicas" {
  type    = number
  default = 2
}

provider "docker" "local" {}

group "gitops-web" {
  size = var.replicas

  instance "docker" {
    image = "drover/demo-app:latest" # built by `make demo`
    # Only the variables the source names with --env are visible here.
    env    = { GREETING = env("GREETING", "hello from git") }
    ports  = ["8080/tcp"]
    labels = { "example" = "gitops" }
  }

  flavor "vanilla" {}
}

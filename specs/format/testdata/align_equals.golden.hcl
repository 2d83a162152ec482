group "web" {
  size           = 3
  restart_policy = "always"
  min_healthy    = 1
  instance "docker" {
    image      = "demo/whoami:1"
    cpu_shares = 512
    memory     = "256MiB"
  }
}

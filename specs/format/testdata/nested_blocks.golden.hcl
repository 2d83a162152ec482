group "web" {
  size = 3
  instance "docker" {
    image = "demo/whoami:1"
    healthcheck {
      path     = "/health"
      interval = "10s"
    }
  }
}

group "worker" {
  size = 1
  instance "exec" {
    command = "./worker"
  }
}

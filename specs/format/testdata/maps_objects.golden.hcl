group "web" {
  labels = {
    team                     = "platform"
    "app.kubernetes.io/name" = "whoami"
  }
  instance "docker" {
    image = "demo/whoami:1"
    env   = { PORT = "8080", LOG_LEVEL = "debug" }
    ports = { http = 80, https = 443 }
    limits = {
      cpu = { cores = 2 }
      memory = {
        soft = "256MiB"
        hard = "512MiB"
      }
    }
  }
}

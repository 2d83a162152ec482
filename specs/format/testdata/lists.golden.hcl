group "web" {
  depends_on = ["db", "cache"]
  instance "docker" {
    image   = "demo/whoami:1"
    command = ["serve", "--port", "8080"]
    volumes = [
      "data:/data",
      "logs:/var/log",
    ]
    empty = []
  }
}

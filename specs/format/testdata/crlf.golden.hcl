group "web" {
  size = 3
  instance "docker" {
    image = "demo/whoami:1"
  }
}

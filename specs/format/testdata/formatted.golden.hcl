# Already canonical: formatting must not change a byte.
group "web" {
  size        = 3
  depends_on  = ["db"]
  labels      = { team = "platform" }
  max_surge   = 1 # one at a time
  min_healthy = 2

  instance "docker" {
    image = "demo/whoami:1"
    ports = {
      http  = 80
      https = 443
    }
  }
}

# digitalocean-fake: three groups of droplets on the fake DigitalOcean API.
# Start it first:  drover dev fake-digitalocean --token dev
# then:            DIGITALOCEAN_TOKEN=dev drover apply --watch examples/digitalocean-fake.hcl

provider "digitalocean" "fake" {
  token    = env("DIGITALOCEAN_TOKEN")
  region   = "fra1"
  api_url  = "http://127.0.0.1:8089/"
  list_lag = "15s" # the fake's --list-lag, with a margin
}

group "web" {
  size = 5
  instance "digitalocean" {
    size  = "s-1vcpu-1gb"
    image = "ubuntu-24-04-x64"
  }
  flavor "vanilla" {}
}

group "api" {
  size = 3
  instance "digitalocean" {
    size  = "s-2vcpu-2gb"
    image = "ubuntu-24-04-x64"
    tags  = ["api"]
  }
  flavor "vanilla" {}
}

group "batch" {
  size = 2
  instance "digitalocean" {
    size  = "s-4vcpu-8gb"
    image = "ubuntu-24-04-x64"
  }
  flavor "vanilla" {}
}

# digitalocean-fake-swarm: a swarm of droplets on the fake DigitalOcean API,
# each droplet a node container that runs its user data, so the engines
# really are secured with the swarm's CA and joined over mutual TLS.
#   make node-image build
#   bin/drover dev fake-digitalocean --token dev --machines drover/node:bookworm &
#   DIGITALOCEAN_TOKEN=dev bin/drover apply --watch examples/digitalocean-fake-swarm.hcl

provider "digitalocean" "fake" {
  token   = env("DIGITALOCEAN_TOKEN")
  region  = "fra1"
  api_url = "http://127.0.0.1:8089/"
}

swarm "dev" {}

group "managers" {
  size = 1
  instance "digitalocean" {
    size  = "s-1vcpu-1gb"
    image = "docker-20-04"
  }
  flavor "swarm" {
    swarm  = swarm.dev
    role   = "manager"
    engine = "tls" # the user data serves the engine on :2376 with the swarm's CA
  }
  health { grace = "2m" }
}

group "workers" {
  size = 2
  instance "digitalocean" {
    size  = "s-1vcpu-1gb"
    image = "docker-20-04"
  }
  flavor "swarm" {
    swarm  = swarm.dev
    role   = "worker"
    engine = "tls"
  }
  health { grace = "2m" }
}

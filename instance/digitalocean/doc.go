// Package digitalocean is the DigitalOcean instance provider: a machine is a
// droplet, created and listed through godo.
package digitalocean

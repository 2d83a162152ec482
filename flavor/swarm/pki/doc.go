// Package pki is the certificate authority of each swarm that drover forms
// on machines whose engines it reaches over TCP (droplets): it makes and
// keeps one CA per (owner, swarm), issues drover's client certificate and a
// server certificate per machine, and builds the TLS configurations of
// both ends of a mutually authenticated connection to an engine, the way
// Docker Machine secures the engines it creates.
//
// Keys are ECDSA P-256; only crypto/x509 is used. A Store keeps every CA
// under one directory, by default <data-dir>/swarm-ca:
//
//	<dir>/<owner>/<swarm>/ca.pem          the CA certificate
//	<dir>/<owner>/<swarm>/ca-key.pem      the CA key (never leaves this directory)
//	<dir>/<owner>/<swarm>/client.pem      drover's client certificate (ExtKeyUsageClientAuth)
//	<dir>/<owner>/<swarm>/client-key.pem  its key
//
// Directories are mode 0700 and files 0600. A CA is made in a temporary
// directory and renamed into place, so that two processes loading the same
// swarm's CA at once end up with one CA: the loser of the rename reads the
// winner's. Loading is idempotent; nothing is ever overwritten.
//
// Server certificates carry ExtKeyUsageServerAuth only, with the machine's
// names as DNS SANs (its IP addresses are not known before it boots): a
// client checks the engine's certificate against the name of the machine it
// means to reach (tls.Config.ServerName), and a machine's key, which sits in
// its user data, cannot act as a client of another machine's engine.
// Certificates are valid for Validity (10 years); to rotate a swarm's CA,
// remove its directory and replace the swarm's machines.
package pki

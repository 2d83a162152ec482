package pki

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"
)

// Validity is how long the CA and the certificates it issues are valid.
const Validity = 10 * 365 * 24 * time.Hour

// backdate is how far before now certificates start to be valid, for
// machines whose clocks are behind.
const backdate = time.Hour

// The files of a CA's directory.
const (
	FileCA        = "ca.pem"
	FileCAKey     = "ca-key.pem"
	FileClient    = "client.pem"
	FileClientKey = "client-key.pem"
)

// The PEM block types this package writes.
const (
	pemCert = "CERTIFICATE"
	pemKey  = "PRIVATE KEY" // PKCS #8
)

// nameRE is what an owner or swarm name must look like to be a directory
// name: no separators, no "." or "..".
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// Store keeps the CAs of every swarm under one directory. It is safe for
// concurrent use, and for use by several processes sharing the directory.
type Store struct {
	dir string

	mu  sync.Mutex
	cas map[[2]string]*CA
}

// NewStore returns the store of the CAs under dir; nothing is read or
// made until CA is called.
func NewStore(dir string) *Store {
	return &Store{dir: dir, cas: map[[2]string]*CA{}}
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

// CA returns the CA of (owner, swarm), loading it from its directory, or
// making it there (with drover's client certificate) if the directory does
// not exist. A CA once loaded is kept in memory.
func (s *Store) CA(owner, swarm string) (*CA, error) {
	for _, n := range []string{owner, swarm} {
		if !nameRE.MatchString(n) || n == "." || n == ".." {
			return nil, fmt.Errorf("swarm CA: %q cannot name a directory: want letters, digits, '.', '_' and '-'", n)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := [2]string{owner, swarm}
	if ca := s.cas[key]; ca != nil {
		return ca, nil
	}
	dir := filepath.Join(s.dir, owner, swarm)
	ca, err := load(dir)
	if errors.Is(err, fs.ErrNotExist) {
		ca, err = create(dir, owner+"/"+swarm)
	}
	if err != nil {
		return nil, err
	}
	s.cas[key] = ca
	return ca, nil
}

// CA is one swarm's certificate authority with drover's client
// certificate. Its methods are safe for concurrent use.
type CA struct {
	cert    *x509.Certificate
	certPEM []byte
	key     *ecdsa.PrivateKey
	pool    *x509.CertPool
	client  tls.Certificate
}

// CertPEM is the CA certificate, PEM-encoded: what an engine checks its
// clients' certificates against (dockerd --tlscacert).
func (ca *CA) CertPEM() []byte { return bytes.Clone(ca.certPEM) }

// Pool is a pool holding the CA certificate alone.
func (ca *CA) Pool() *x509.CertPool { return ca.pool.Clone() }

// ClientTLS is the TLS configuration with which drover reaches the engine
// of the machine named serverName: the engine must present a certificate
// of this CA for that name, and drover presents its client certificate.
func (ca *CA) ClientTLS(serverName string) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		RootCAs:      ca.pool.Clone(),
		Certificates: []tls.Certificate{ca.client},
		ServerName:   serverName,
	}
}

// IssueServer makes a key and a server certificate (ExtKeyUsageServerAuth
// only) for a machine with the given DNS names, the first of which is also
// its common name, and returns both PEM-encoded.
func (ca *CA) IssueServer(names ...string) (certPEM, keyPEM []byte, err error) {
	if len(names) == 0 || names[0] == "" {
		return nil, nil, errors.New("swarm CA: a server certificate needs a name")
	}
	tmpl := template(names[0])
	tmpl.DNSNames = names
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	return ca.issue(tmpl)
}

// issueClient makes drover's client certificate.
func (ca *CA) issueClient() (certPEM, keyPEM []byte, err error) {
	tmpl := template("drover")
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	return ca.issue(tmpl)
}

// issue signs tmpl with a new key.
func (ca *CA) issue(tmpl *x509.Certificate) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("swarm CA: generate a key: %w", err)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, nil, fmt.Errorf("swarm CA: sign a certificate for %s: %w", tmpl.Subject.CommonName, err)
	}
	keyPEM, err = encodeKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemCert, Bytes: der}), keyPEM, nil
}

// ServerTLS is the server side of the mutual TLS that an engine started
// with --tlsverify does: it presents the server certificate and requires a
// client certificate of the CA in caPEM. For tests and fakes.
func ServerTLS(caPEM, certPEM, keyPEM []byte) (*tls.Config, error) {
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("server key pair: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("no CA certificate in the PEM given")
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{pair},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
	}, nil
}

// template is a certificate template for cn with a random serial, valid
// from backdate ago for Validity.
func template(cn string) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127)) // crypto/rand does not fail
	now := time.Now()
	return &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"drover"}},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(Validity),
		BasicConstraintsValid: true,
	}
}

// create makes a CA and drover's client certificate in a temporary
// directory beside dir and renames it to dir. If another process made dir
// first, its CA is loaded instead.
func create(dir, label string) (*CA, error) {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, fmt.Errorf("swarm CA: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("swarm CA: generate a key: %w", err)
	}
	tmpl := template("drover swarm CA " + label)
	tmpl.IsCA = true
	tmpl.MaxPathLenZero = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("swarm CA: self-sign: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("swarm CA: %w", err)
	}
	ca := &CA{cert: cert, certPEM: pem.EncodeToMemory(&pem.Block{Type: pemCert, Bytes: der}), key: key}
	clientPEM, clientKeyPEM, err := ca.issueClient()
	if err != nil {
		return nil, err
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".new-") // mode 0700
	if err != nil {
		return nil, fmt.Errorf("swarm CA: %w", err)
	}
	defer os.RemoveAll(tmp) // gone after a successful rename
	files := map[string][]byte{FileCA: ca.certPEM, FileCAKey: keyPEM, FileClient: clientPEM, FileClientKey: clientKeyPEM}
	for name, data := range files {
		if err := writeFile(filepath.Join(tmp, name), data); err != nil {
			return nil, err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, serr := os.Stat(dir); serr == nil {
			return load(dir) // another process made it first
		}
		return nil, fmt.Errorf("swarm CA: %w", err)
	}
	return load(dir)
}

// writeFile writes data to a new file of mode 0600 and syncs it.
func writeFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("swarm CA: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("swarm CA: write %s: %w", path, err)
	}
	return nil
}

// load reads the CA in dir. It returns an error matching fs.ErrNotExist
// only when dir does not exist; a directory missing a file, or holding
// certificates that do not belong together, is an error that names it.
func load(dir string) (*CA, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, err
	}
	read := func(name string) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			// %v, not %w: a missing file must not read as a missing CA,
			// which would be made afresh.
			return nil, fmt.Errorf("swarm CA in %s is incomplete: %v", dir, err)
		}
		return b, nil
	}
	certPEM, err := read(FileCA)
	if err != nil {
		return nil, err
	}
	keyPEM, err := read(FileCAKey)
	if err != nil {
		return nil, err
	}
	clientPEM, err := read(FileClient)
	if err != nil {
		return nil, err
	}
	clientKeyPEM, err := read(FileClientKey)
	if err != nil {
		return nil, err
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("swarm CA in %s: %s and %s: %w", dir, FileCA, FileCAKey, err)
	}
	key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("swarm CA in %s: %s is not an ECDSA key", dir, FileCAKey)
	}
	cert := pair.Leaf
	if cert == nil || !cert.IsCA {
		return nil, fmt.Errorf("swarm CA in %s: %s is not a CA certificate", dir, FileCA)
	}
	client, err := tls.X509KeyPair(clientPEM, clientKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("swarm CA in %s: %s and %s: %w", dir, FileClient, FileClientKey, err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	if _, err := client.Leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		return nil, fmt.Errorf("swarm CA in %s: %s is not a client certificate of this CA: %w", dir, FileClient, err)
	}
	return &CA{cert: cert, certPEM: certPEM, key: key, pool: pool, client: client}, nil
}

// encodeKey PEM-encodes a key as PKCS #8.
func encodeKey(key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("swarm CA: encode a key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemKey, Bytes: der}), nil
}

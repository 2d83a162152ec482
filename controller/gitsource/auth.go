package gitsource

import (
	"errors"
	"net/url"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
)

// Auth holds credentials. Secret: never logged, never in an error message.
type Auth struct {
	// SSHKey is a PEM private key (unencrypted), for ssh URLs.
	SSHKey []byte
	// Token is an HTTPS token, sent as basic auth's password.
	Token string
	// Username goes with Token in basic auth. Default "x-access-token"
	// (GitHub; GitLab and Gitea accept any user name with a token).
	Username string
}

// scheme returns "ssh", "http" or "file" for a URL CheckURL accepted.
func scheme(rawURL string) string {
	if !strings.Contains(rawURL, "://") {
		return "ssh"
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	switch s := strings.ToLower(u.Scheme); s {
	case "https":
		return "http"
	default:
		return s
	}
}

// authMethod turns r.Auth into go-git's auth for r.URL's scheme.
func (c *Client) authMethod(r Remote) (transport.AuthMethod, error) {
	s := scheme(r.URL)
	hasKey, hasToken := len(r.Auth.SSHKey) > 0, r.Auth.Token != ""
	switch {
	case hasKey && s != "ssh":
		return nil, &AuthError{Reason: "an SSH key is given for a URL that is not ssh"}
	case hasToken && s != "http":
		return nil, &AuthError{Reason: "a token is given for a URL that is not http(s)"}
	case hasKey:
		return c.sshAuth(r)
	case hasToken:
		user := r.Auth.Username
		if user == "" {
			user = "x-access-token"
		}
		return &githttp.BasicAuth{Username: user, Password: r.Auth.Token}, nil
	}
	return nil, nil
}

func (c *Client) sshAuth(r Remote) (transport.AuthMethod, error) {
	user := "git"
	if ui := userinfo(r.URL); ui != "" {
		user = ui
	}
	signer, err := ssh.ParsePrivateKey(r.Auth.SSHKey)
	if err != nil {
		var missing *ssh.PassphraseMissingError
		if errors.As(err, &missing) {
			return nil, &AuthError{Reason: "the SSH key is encrypted: give an unencrypted key"}
		}
		return nil, &AuthError{Reason: "the SSH key is not a usable PEM private key"}
	}
	auth := &gitssh.PublicKeys{User: user, Signer: signer}
	if c.opts.SSHKnownHosts != "" {
		cb, err := gitssh.NewKnownHostsCallback(c.opts.SSHKnownHosts)
		if err != nil {
			return nil, errors.New("gitsource: the SSH known_hosts file cannot be read")
		}
		auth.HostKeyCallback = cb
	}
	return auth, nil
}

package gitsource

import (
	"context"
	"errors"
	"fmt"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/memory"
)

// refName returns the full name of the ref r follows.
func refName(r Remote) (plumbing.ReferenceName, error) {
	var n plumbing.ReferenceName
	switch {
	case r.Branch != "" && r.Tag != "":
		return "", errors.New("gitsource: follow a branch or a tag, not both")
	case r.Tag != "":
		n = plumbing.NewTagReferenceName(r.Tag)
	case r.Branch != "":
		n = plumbing.NewBranchReferenceName(r.Branch)
	default:
		n = plumbing.NewBranchReferenceName("main")
	}
	if err := n.Validate(); err != nil {
		return "", errors.New("gitsource: the branch or tag name is not a valid ref name")
	}
	return n, nil
}

// prepare checks r and returns its ref and auth.
func (c *Client) prepare(r Remote) (plumbing.ReferenceName, transport.AuthMethod, error) {
	if err := CheckURL(r.URL); err != nil {
		return "", nil, err
	}
	ref, err := refName(r)
	if err != nil {
		return "", nil, err
	}
	auth, err := c.authMethod(r)
	if err != nil {
		return "", nil, err
	}
	return ref, auth, nil
}

// Head asks the remote which commit the ref points at (like git
// ls-remote), fetching nothing. An annotated tag is resolved to its commit.
func (c *Client) Head(ctx context.Context, r Remote) (string, error) {
	ref, auth, err := c.prepare(r)
	if err != nil {
		return "", err
	}
	rem := git.NewRemote(memory.NewStorage(), &config.RemoteConfig{Name: "origin", URLs: []string{r.URL}})
	proxyOpts, end := sshProxy(ctx, r.URL)
	defer end()
	refs, err := rem.ListContext(ctx, &git.ListOptions{Auth: auth, PeelingOption: git.AppendPeeled, ProxyOptions: proxyOpts})
	if err != nil {
		return "", c.wrap(ctx, "ls-remote", err, r)
	}
	var direct, peeled string
	for _, rf := range refs {
		switch rf.Name() {
		case ref:
			direct = rf.Hash().String()
		case ref + "^{}":
			peeled = rf.Hash().String()
		}
	}
	switch {
	case peeled != "":
		return peeled, nil
	case direct != "":
		return direct, nil
	}
	return "", fmt.Errorf("%w: %s", ErrRefNotFound, ref.Short())
}

// wrap turns a transport error into gitsource's: the context's error when
// it ended, ErrRefNotFound, *AuthError; always free of r's secrets.
func (c *Client) wrap(ctx context.Context, op string, err error, r Remote) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("gitsource: %s: %w", op, ctxErr)
	}
	secrets := secretsOf(r)
	switch {
	case errors.Is(err, transport.ErrEmptyRemoteRepository), errors.Is(err, git.NoMatchingRefSpecError{}):
		return fmt.Errorf("%w: %w", ErrRefNotFound, scrub(err, secrets))
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed),
		isSSHAuthFailure(err):
		return &AuthError{Reason: "the remote refused the credentials", err: scrub(err, secrets)}
	}
	return fmt.Errorf("gitsource: %s: %w", op, scrub(err, secrets))
}

func isSSHAuthFailure(err error) bool {
	return err != nil && containsAny(err.Error(), "unable to authenticate", "no supported methods remain")
}

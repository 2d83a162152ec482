package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// AddSource adds a git source; it is polled at once.
func (c *Client) AddSource(ctx context.Context, spec SourceSpec) (SourceInfo, error) {
	var out SourceInfo
	err := c.call(ctx, http.MethodPost, "/v1/sources", spec, &out)
	return out, err
}

// UpdateSource replaces every setting of the source spec names.
func (c *Client) UpdateSource(ctx context.Context, spec SourceSpec) (SourceInfo, error) {
	var out SourceInfo
	err := c.call(ctx, http.MethodPut, "/v1/sources/"+url.PathEscape(spec.Name), spec, &out)
	return out, err
}

// Sources lists the sources by name.
func (c *Client) Sources(ctx context.Context) ([]SourceInfo, error) {
	var out []SourceInfo
	err := c.call(ctx, http.MethodGet, "/v1/sources", nil, &out)
	return out, err
}

// Source returns the source name; a *StatusError of code 404 if there is
// none.
func (c *Client) Source(ctx context.Context, name string) (SourceInfo, error) {
	var out SourceInfo
	err := c.call(ctx, http.MethodGet, sourcePath(name, ""), nil, &out)
	return out, err
}

// SuspendSource stops (suspend true) or resumes polling the source name.
func (c *Client) SuspendSource(ctx context.Context, name string, suspend bool) (SourceInfo, error) {
	verb := "/resume"
	if suspend {
		verb = "/suspend"
	}
	var out SourceInfo
	err := c.call(ctx, http.MethodPost, sourcePath(name, verb), nil, &out)
	return out, err
}

// SyncSource polls the source name now, applies what it finds, and
// returns its state after.
func (c *Client) SyncSource(ctx context.Context, name string, req SyncRequest) (SourceInfo, error) {
	var out SourceInfo
	err := c.call(ctx, http.MethodPost, sourcePath(name, "/sync"), req, &out)
	return out, err
}

// RemoveSource removes the source name (see RemoveSourceRequest).
func (c *Client) RemoveSource(ctx context.Context, name string, req RemoveSourceRequest) error {
	return c.call(ctx, http.MethodDelete, sourcePath(name, ""), req, nil)
}

// sourcePath is the path of the source name, escaped, with suffix.
func sourcePath(name, suffix string) string {
	return fmt.Sprintf("/v1/sources/%s%s", url.PathEscape(name), suffix)
}

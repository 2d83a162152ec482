package gitsource

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
)

// scpLike is user@host:path (user optional), git's scp-like ssh syntax.
var scpLike = regexp.MustCompile(`^(?:([^@/:]+)@)?([^@/:]+):([^/].*|/.*)$`)

// CheckURL refuses a URL drover will not follow: schemes other than https,
// http, ssh, scp-like user@host:path and file://; any userinfo on http(s)
// (a user name there is often a token) and a password in ssh's (credentials
// belong in Auth); an empty host (file:// excepted, whose host must be
// empty or localhost); control characters. Its error never echoes the URL.
func CheckURL(rawURL string) error {
	if rawURL == "" {
		return errors.New("gitsource: empty URL")
	}
	if strings.ContainsFunc(rawURL, func(r rune) bool { return r < 0x20 || r == 0x7f || r == ' ' }) {
		return errors.New("gitsource: URL has control characters or spaces")
	}
	if !strings.Contains(rawURL, "://") {
		return checkSCP(rawURL)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return errors.New("gitsource: URL does not parse")
	}
	switch strings.ToLower(u.Scheme) {
	case "https", "http":
		if u.User != nil {
			return errors.New("gitsource: credentials in an http(s) URL are refused: use a token")
		}
	case "ssh":
		if _, has := u.User.Password(); has {
			return errors.New("gitsource: a password in an ssh URL is refused: use an SSH key")
		}
	case "file":
		if u.User != nil || (u.Host != "" && u.Host != "localhost") {
			return errors.New("gitsource: a file URL names no host or user")
		}
		if u.Path == "" || u.Path == "/" {
			return errors.New("gitsource: a file URL needs a path")
		}
		return nil
	default:
		return errors.New("gitsource: URL scheme not supported (https, http, ssh, user@host:path, file)")
	}
	if u.Hostname() == "" {
		return errors.New("gitsource: URL has no host")
	}
	if strings.HasPrefix(u.Hostname(), "-") {
		return errors.New("gitsource: URL host is not valid")
	}
	return nil
}

func checkSCP(rawURL string) error {
	m := scpLike.FindStringSubmatch(rawURL)
	if m == nil {
		return errors.New("gitsource: URL scheme not supported (https, http, ssh, user@host:path, file)")
	}
	if m[2] == "" || strings.HasPrefix(m[2], "-") || strings.HasPrefix(m[1], "-") {
		return errors.New("gitsource: URL has no valid host")
	}
	if m[3] == "" {
		return errors.New("gitsource: URL has no path")
	}
	return nil
}

// Redact returns the URL without userinfo, for display. A string that does
// not parse is not echoed: Redact returns "<invalid URL>".
func Redact(rawURL string) string {
	if !strings.Contains(rawURL, "://") {
		if m := scpLike.FindStringSubmatch(rawURL); m != nil {
			return m[2] + ":" + m[3]
		}
		if strings.Contains(rawURL, "@") {
			return "<invalid URL>"
		}
		return rawURL
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "<invalid URL>"
	}
	u.User = nil
	return u.String()
}

// userinfo returns the userinfo of rawURL (user[:password]) or "".
func userinfo(rawURL string) string {
	if !strings.Contains(rawURL, "://") {
		if m := scpLike.FindStringSubmatch(rawURL); m != nil {
			return m[1]
		}
		return ""
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return ""
	}
	return u.User.String()
}

package gitsource_test

import (
	"strings"
	"testing"

	"github.com/drover/drover/controller/gitsource"
)

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://github.com/org/repo.git", true},
		{"http://git.local:8080/repo", true},
		{"ssh://git@github.com/org/repo.git", true},
		{"ssh://github.com:2222/org/repo.git", true},
		{"git@github.com:org/repo.git", true},
		{"github.com:org/repo.git", true},
		{"file:///srv/git/repo.git", true},
		{"file://localhost/srv/git/repo.git", true},
		{"", false},
		{"ftp://host/repo", false},
		{"ext::sh -c touch% /tmp/pwned", false},
		{"/srv/git/repo.git", false},
		{"https://user:S3CRETMARK@github.com/org/repo", false},
		{"https://S3CRETMARK@github.com/org/repo", false},
		{"ssh://git:S3CRETMARK@github.com/org/repo", false},
		{"https:///org/repo", false},
		{"ssh:///org/repo", false},
		{"ssh://-oProxyCommand=x/repo", false},
		{"-oProxyCommand=x:repo", false},
		{"file://remote-host/repo", false},
		{"file://", false},
		{"https://github.com/org/repo\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := gitsource.CheckURL(tt.url)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckURL = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && (strings.Contains(err.Error(), "S3CRETMARK") || (tt.url != "" && strings.Contains(err.Error(), tt.url))) {
				t.Fatalf("CheckURL's error echoes the URL: %v", err)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://user:S3CRETMARK@github.com/org/repo", "https://github.com/org/repo"},
		{"ssh://git@github.com/org/repo", "ssh://github.com/org/repo"},
		{"git@github.com:org/repo.git", "github.com:org/repo.git"},
		{"file:///srv/repo", "file:///srv/repo"},
		{"https://S3CRETMARK@host/%zz", "<invalid URL>"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := gitsource.Redact(tt.in); got != tt.want {
				t.Fatalf("Redact = %q, want %q", got, tt.want)
			}
		})
	}
}

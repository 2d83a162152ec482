package daemon

import (
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/controller/api"
)

func TestCheckSource(t *testing.T) {
	const secretMark = "SECRET-MARK-4242"
	ok := api.SourceSpec{Name: "app", URL: "https://example.com/acme/infra.git"}
	with := func(f func(*api.SourceSpec)) api.SourceSpec { s := ok; f(&s); return s }
	cases := []struct {
		name string
		spec api.SourceSpec
		want string // in the error; "" for none
	}{
		{"defaults", ok, ""},
		{"bad name", with(func(s *api.SourceSpec) { s.Name = "App/../x" }), "name:"},
		{"the default stack's name", with(func(s *api.SourceSpec) { s.Name = "default" }), "stack of drover apply"},
		{"credentials in the URL", with(func(s *api.SourceSpec) { s.URL = "https://user:" + secretMark + "@example.com/x.git" }), "url:"},
		{"branch and tag", with(func(s *api.SourceSpec) { s.Branch, s.Tag = "main", "v1" }), "give one"},
		{"path climbing out", with(func(s *api.SourceSpec) { s.Path = "../etc" }), "path:"},
		{"absolute path", with(func(s *api.SourceSpec) { s.Path = "/etc" }), "path:"},
		{"interval too short", with(func(s *api.SourceSpec) { s.Interval = time.Second }), "interval:"},
		{"timeout too long", with(func(s *api.SourceSpec) { s.Timeout = time.Hour }), "timeout:"},
		{"key and token", with(func(s *api.SourceSpec) { s.SSHKey, s.Token = secretMark, secretMark }), "give one"},
		{"short webhook secret", with(func(s *api.SourceSpec) { s.WebhookSecret = secretMark[:8] }), "at least 16"},
		{"huge token", with(func(s *api.SourceSpec) { s.Token = strings.Repeat(secretMark, 10000) }), "larger than"},
		{"bad env name", with(func(s *api.SourceSpec) { s.Env = map[string]string{"A B" + secretMark: "x"} }), "not a valid identifier"},
		{"notify not http", with(func(s *api.SourceSpec) { s.Notify = "file:///" + secretMark }), "notify:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := checkSource(tc.spec, 10*time.Second)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got.Branch != "main" || got.Path != "." || got.Interval != time.Minute || got.Timeout != time.Minute {
					t.Fatalf("defaults: %+v", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secretMark) {
				t.Fatalf("the error echoes a value: %v", err)
			}
		})
	}
}

func TestSourceInfoHidesSecrets(t *testing.T) {
	cfg := sourceConfig{SourceSpec: api.SourceSpec{Name: "app", URL: "https://example.com/x.git", Token: "tok-1",
		WebhookSecret: "hook-secret-0123456789", Env: map[string]string{"B": "v2", "A": "v1"}}}
	info := cfg.info(api.SourceStatus{State: api.SourceReady})
	if info.Auth != "token" || !info.Webhook || strings.Join(info.EnvNames, ",") != "A,B" {
		t.Fatalf("info: %+v", info)
	}
	cfg.Suspended = true
	if st := cfg.info(api.SourceStatus{State: api.SourceReady}).Status.State; st != api.SourceSuspended {
		t.Fatalf("a suspended source's state: %s", st)
	}
}

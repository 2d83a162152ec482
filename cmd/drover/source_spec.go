package main

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/drover/drover/controller/api"
)

// maxSecretFile bounds each file source add reads: a key, a token or a
// webhook secret.
const maxSecretFile = 64 << 10

// envVarName is the form of a name --env takes.
var envVarName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// exclusive are the pairs of source add flags that cannot go together,
// with why.
var exclusive = []struct{ a, b, why string }{
	{"branch", "tag", "a source follows a branch or a tag"},
	{"ssh-key-file", "token-file", "a source authenticates with an SSH key or a token"},
}

// sourceSpec builds the spec source add sends: the flags, the files they
// name and the environment variables --env names.
func (a *app) sourceSpec(cmd *cobra.Command, name string) (api.SourceSpec, error) {
	fl := cmd.Flags()
	for _, x := range exclusive {
		if fl.Changed(x.a) && fl.Changed(x.b) {
			return api.SourceSpec{}, fmt.Errorf("--%s and --%s: give one of them (%s)", x.a, x.b, x.why)
		}
	}
	spec := api.SourceSpec{Name: name}
	spec.URL, _ = fl.GetString("url")
	spec.Branch, _ = fl.GetString("branch")
	spec.Tag, _ = fl.GetString("tag")
	spec.Path, _ = fl.GetString("path")
	spec.Interval, _ = fl.GetDuration("interval")
	spec.Timeout, _ = fl.GetDuration("timeout")
	spec.Prune, _ = fl.GetBool("prune")
	spec.Notify, _ = fl.GetString("notify")
	if err := checkSourceFlags(spec); err != nil {
		return api.SourceSpec{}, err
	}
	var err error
	for _, f := range []struct {
		flag string
		to   *string
		trim bool
	}{
		{"ssh-key-file", &spec.SSHKey, false},
		{"token-file", &spec.Token, true},
		{"webhook-secret-file", &spec.WebhookSecret, true},
	} {
		path, _ := fl.GetString(f.flag)
		if path == "" {
			continue
		}
		if *f.to, err = readSecretFile(f.flag, path, f.trim); err != nil {
			return api.SourceSpec{}, err
		}
	}
	names, _ := fl.GetStringArray("env")
	spec.Env, err = a.envValues(names)
	return spec, err
}

// checkSourceFlags refuses, before anything is read or sent, the settings
// that cannot be right. It never echoes a URL: it may hold a credential.
func checkSourceFlags(spec api.SourceSpec) error {
	switch {
	case !api.ValidSourceName(spec.Name):
		return errors.New("source name: want [a-z0-9][a-z0-9_-]{0,62}: lower-case letters, digits, _ and -, at most 63")
	case spec.URL == "":
		return errors.New("--url is required: the repository to follow (https://, ssh://, user@host:path or file://)")
	case urlHasPassword(spec.URL):
		return errors.New("--url: credentials in the URL are refused: give them with --token-file or --ssh-key-file")
	case spec.Interval < 0 || spec.Timeout < 0:
		return errors.New("--interval and --timeout must not be negative")
	case spec.Notify != "" && !strings.HasPrefix(spec.Notify, "https://") && !strings.HasPrefix(spec.Notify, "http://"):
		return errors.New("--notify: want an http:// or https:// URL")
	case spec.Notify != "" && urlHasPassword(spec.Notify):
		return errors.New("--notify: credentials in the URL are refused")
	}
	return nil
}

// urlHasPassword says whether u is a URL with a password in it.
func urlHasPassword(u string) bool {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return false
	}
	_, ok := p.User.Password()
	return ok
}

// readSecretFile reads a regular file of at most maxSecretFile bytes for
// flag, trimming the space around it when trim. Its errors name the flag
// and the path, never the content.
func readSecretFile(flag, path string, trim bool) (string, error) {
	bad := func(why string) error { return fmt.Errorf("--%s %s: %s", flag, path, why) }
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("--%s: %w", flag, err)
	}
	if !fi.Mode().IsRegular() {
		return "", bad("not a regular file")
	}
	if fi.Size() > maxSecretFile {
		return "", bad(fmt.Sprintf("larger than %d KiB", maxSecretFile>>10))
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("--%s: %w", flag, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return "", bad("not a regular file") // it changed since
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("--%s: %w", flag, err)
	}
	if len(b) > maxSecretFile {
		return "", bad(fmt.Sprintf("larger than %d KiB", maxSecretFile>>10))
	}
	s := string(b)
	if trim {
		s = strings.TrimSpace(s)
	}
	if strings.TrimSpace(s) == "" {
		return "", bad("the file is empty")
	}
	return s, nil
}

// envValues reads the variables names from the CLI's environment. Its
// errors name a variable, never a value.
func (a *app) envValues(names []string) (map[string]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	env := map[string]string{}
	for _, n := range names {
		if !envVarName.MatchString(n) {
			return nil, errors.New("--env: want the name of an environment variable ([A-Za-z_][A-Za-z0-9_]*), not NAME=VALUE: its value is read from this environment")
		}
		v, ok := a.lookupEnv(n)
		if !ok {
			return nil, fmt.Errorf("--env %s: %s is not set in this environment", n, n)
		}
		env[n] = v
	}
	return env, nil
}

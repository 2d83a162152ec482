package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestVersion(t *testing.T) {
	t.Parallel()
	r := drover(t, "version")
	wantCode(t, r, exitOK)
	if !strings.HasPrefix(r.stdout, "drover "+version+" (") {
		t.Errorf("stdout does not start with %q\n%s", "drover "+version+" (", r)
	}
	wantContains(t, r, "stdout", runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH)
	wantEmpty(t, r, "stderr")

	for _, flag := range []string{"--json", "-json"} {
		t.Run(flag, func(t *testing.T) {
			t.Parallel()
			r := drover(t, "version", flag)
			wantCode(t, r, exitOK)
			var info map[string]string
			if err := json.Unmarshal([]byte(r.stdout), &info); err != nil {
				t.Fatalf("stdout is not a JSON object of strings: %v\n%s", err, r)
			}
			want := map[string]string{"version": version, "go": runtime.Version(), "platform": runtime.GOOS + "/" + runtime.GOARCH}
			for k, v := range want {
				if info[k] != v {
					t.Errorf("%s = %q, want %q\n%s", k, info[k], v, r)
				}
			}
		})
	}
}

func TestCompletion(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		t.Run(shell, func(t *testing.T) {
			t.Parallel()
			r := drover(t, "completion", shell)
			wantCode(t, r, exitOK)
			wantContains(t, r, "stdout", "drover")
			wantEmpty(t, r, "stderr")
		})
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "unknown command", args: []string{"deploy"}, want: []string{`Error: unknown command "deploy" for "drover"`}},
		{name: "misspelt command", args: []string{"validat"}, want: []string{`unknown command "validat"`, "Did you mean this?", "validate"}},
		{name: "unknown flag", args: []string{"validate", "--bogus"}, want: []string{"Error: unknown flag: --bogus"}},
		{name: "unknown one-dash flag", args: []string{"fmt", "-bogus"}, want: []string{"Error: unknown shorthand flag"}},
		{name: "flag of another command", args: []string{"version", "--check"}, want: []string{"unknown flag: --check"}},
		{name: "flag without value", args: []string{"validate", "--var"}, want: []string{"flag needs an argument", "var"}},
		{name: "version takes no arguments", args: []string{"version", "extra"}, want: []string{`unknown command "extra" for "drover version"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := drover(t, tt.args...)
			wantCode(t, r, exitError)
			wantContains(t, r, "stderr", tt.want...)
			wantEmpty(t, r, "stdout")
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{nil, {"--help"}, {"-h"}, {"help"}, {"validate", "--help"}, {"help", "fmt"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			r := drover(t, args...)
			wantCode(t, r, exitOK)
			wantContains(t, r, "stdout", "Usage:", "drover")
		})
	}
}

// configCommands are commands that would succeed with a sane configuration.
func configCommands(t *testing.T) map[string][]string {
	t.Helper()
	spec, err := filepath.Abs(filepath.Join("..", "..", "examples", "quickstart.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	clean := writeFile(t, t.TempDir(), "clean.hcl", formatted)
	return map[string][]string{
		"validate": {"validate", spec},
		"fmt":      {"fmt", "--check", clean},
		"version":  {"version"},
	}
}

const logLevelError = `log level "bogus": want debug, info, warn or error`

// DROVER_* settings come from run's environment, like spec variables.
func TestLogLevelFromEnv(t *testing.T) {
	t.Parallel()
	env := fakeEnv{"DROVER_LOG_LEVEL": "bogus"}
	for name, args := range configCommands(t) {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, env, "", args...)
			wantCode(t, r, exitError)
			wantContains(t, r, "stderr", "Error: "+logLevelError+" (from DROVER_LOG_LEVEL)")
		})
	}
	t.Run("flag wins", func(t *testing.T) {
		r := runCLI(t, env, "", "--log-level", "warn", "version")
		wantCode(t, r, exitOK)
	})
	t.Run("help and completion need no settings", func(t *testing.T) {
		for _, args := range [][]string{{"help"}, {"completion", "bash"}, {"__complete", "val"}} {
			r := runCLI(t, env, "", args...)
			wantCode(t, r, exitOK)
		}
	})
}

// Per-invocation options are not settings: the environment does not set them.
func TestOptionsNotFromEnv(t *testing.T) {
	t.Parallel()
	r := runCLI(t, fakeEnv{"DROVER_JSON": "true"}, "", "version")
	wantCode(t, r, exitOK)
	wantContains(t, r, "stdout", "drover ")
	wantNotContains(t, r, "stdout", "{")
}

func TestLogFormat(t *testing.T) {
	t.Parallel()
	r := drover(t, "--log-format", "xml", "version")
	wantCode(t, r, exitError)
	wantContains(t, r, "stderr", `log format "xml": want text or json (from --log-format)`)

	for _, args := range [][]string{{"--log-level", "debug", "--log-format", "json", "version"}, {"-log-level=warn", "-log-format", "text", "version"}} {
		wantCode(t, drover(t, args...), exitOK)
	}
}

func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	bogus := writeFile(t, dir, "bogus.yaml", "log-level: bogus\n")
	debug := writeFile(t, dir, "debug.yaml", "log-level: debug\n")
	missing := filepath.Join(dir, "missing.yaml")
	garbled := writeFile(t, dir, "garbled.yaml", "log-level: [\n")

	tests := []struct {
		name string
		env  fakeEnv
		args []string // before the command's own
		code int
		want []string
	}{
		{name: "bad level", args: []string{"--config", bogus}, code: exitError, want: []string{logLevelError + " (from config file " + bogus + ")"}},
		{name: "bad level, one dash", args: []string{"-config", bogus}, code: exitError, want: []string{logLevelError}},
		{name: "good level", args: []string{"--config", debug}, code: exitOK},
		{name: "missing file", args: []string{"--config", missing}, code: exitError, want: []string{"config file " + missing}},
		{name: "syntax error", args: []string{"--config", garbled}, code: exitError, want: []string{"config file " + garbled}},
		{name: "flag beats file", args: []string{"--config", bogus, "--log-level", "debug"}, code: exitOK},
		{name: "env beats file", env: fakeEnv{"DROVER_LOG_LEVEL": "debug"}, args: []string{"--config", bogus}, code: exitOK},
		{name: "DROVER_CONFIG", env: fakeEnv{"DROVER_CONFIG": bogus}, code: exitError, want: []string{logLevelError}},
		{name: "DROVER_CONFIG missing", env: fakeEnv{"DROVER_CONFIG": missing}, code: exitError, want: []string{"config file " + missing}},
		{name: "flag beats DROVER_CONFIG", env: fakeEnv{"DROVER_CONFIG": bogus}, args: []string{"--config", debug}, code: exitOK},
	}
	for _, tt := range tests {
		for cmd, cmdArgs := range configCommands(t) {
			t.Run(tt.name+"/"+cmd, func(t *testing.T) {
				r := runCLI(t, tt.env, "", append(append([]string{}, tt.args...), cmdArgs...)...)
				wantCode(t, r, tt.code)
				wantContains(t, r, "stderr", tt.want...)
			})
		}
	}
}

// Without --config, drover reads $XDG_CONFIG_HOME/drover/drover.yaml,
// else $HOME/.config/drover/drover.yaml; those two variables come from
// run's lookupEnv. The working directory is never searched.
func TestConfigSearch(t *testing.T) {
	t.Run("XDG_CONFIG_HOME", func(t *testing.T) {
		xdg := t.TempDir()
		writeFile(t, xdg, "drover/drover.yaml", "log-level: bogus\n")
		t.Chdir(t.TempDir())
		r := runCLI(t, fakeEnv{"XDG_CONFIG_HOME": xdg}, "", "version")
		wantCode(t, r, exitError)
		wantContains(t, r, "stderr", logLevelError)
	})
	t.Run("HOME", func(t *testing.T) {
		home := t.TempDir()
		writeFile(t, home, ".config/drover/drover.yaml", "log-level: bogus\n")
		t.Chdir(t.TempDir())
		r := runCLI(t, fakeEnv{"HOME": home}, "", "version")
		wantCode(t, r, exitError)
		wantContains(t, r, "stderr", logLevelError)
	})
	t.Run("HOME ignored when XDG_CONFIG_HOME is set", func(t *testing.T) {
		home, xdg := t.TempDir(), t.TempDir()
		writeFile(t, home, ".config/drover/drover.yaml", "log-level: bogus\n")
		t.Chdir(t.TempDir())
		wantCode(t, runCLI(t, fakeEnv{"HOME": home, "XDG_CONFIG_HOME": xdg}, "", "version"), exitOK)
	})
	t.Run("a relative XDG_CONFIG_HOME or HOME is no config directory", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "drover/drover.yaml", "log-level: bogus\n")
		writeFile(t, dir, ".config/drover/drover.yaml", "log-level: bogus\n")
		t.Chdir(dir)
		wantCode(t, runCLI(t, fakeEnv{"XDG_CONFIG_HOME": ".", "HOME": "."}, "", "version"), exitOK)
	})
	t.Run("none", func(t *testing.T) {
		t.Chdir(t.TempDir())
		wantCode(t, drover(t, "version"), exitOK)
	})
	t.Run("a file named drover is not a config file", func(t *testing.T) {
		xdg := t.TempDir()
		writeFile(t, xdg, "drover/drover", "\x7fELF binary")
		writeFile(t, xdg, "drover/drover.toml", "log-level = 'bogus'")
		wantCode(t, runCLI(t, fakeEnv{"XDG_CONFIG_HOME": xdg}, "", "version"), exitOK)
	})
	t.Run("drover.yml", func(t *testing.T) {
		xdg := t.TempDir()
		writeFile(t, xdg, "drover/drover.yml", "log-level: bogus\n")
		wantCode(t, runCLI(t, fakeEnv{"XDG_CONFIG_HOME": xdg}, "", "version"), exitError)
	})
}

// A drover.yaml in the working directory (a checkout of someone else's
// specs) is never read: not its plugins, which drover would run, nor its
// addr, where drover would send the bundle with its secrets.
func TestConfigInWorkingDirectoryIgnored(t *testing.T) {
	dir := t.TempDir()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	contacted := make(chan int, 1)
	go func() { // hang up on whoever comes, so that no client waits
		n := 0
		for c, err := lis.Accept(); err == nil; c, err = lis.Accept() {
			n++
			c.Close()
		}
		contacted <- n
	}()
	marker := filepath.Join(dir, "ran")
	evil := writeFile(t, dir, "evil.sh", "#!/bin/sh\ntouch "+marker+"\n")
	if err := os.Chmod(evil, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"drover.yaml", "drover.yml"} {
		writeFile(t, dir, name, fmt.Sprintf("addr: %s\nplugins:\n  evil: %s\n", lis.Addr(), evil))
	}
	writeFile(t, dir, "spec.hcl", "group \"a\" {\n  size = 1\n  instance \"evil\" {}\n  flavor \"vanilla\" {}\n}\n")
	t.Chdir(dir)
	env := fakeEnv{"HOME": t.TempDir(), "DROVER_DATA_DIR": t.TempDir()}
	for _, args := range [][]string{{"version"}, {"validate", "spec.hcl"}, {"status"}} {
		r := runCLI(t, env, "", args...)
		wantNotContains(t, r, "stderr", lis.Addr().String())
		if args[0] == "version" {
			wantCode(t, r, exitOK)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("drover ran the plugin a ./drover.yaml named")
	}
	// Every connection drover made has been queued by now: the loop
	// takes them all before its deadline passes.
	if err := lis.(*net.TCPListener).SetDeadline(time.Now().Add(100 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if n := <-contacted; n > 0 {
		t.Errorf("drover connected %d times to the addr a ./drover.yaml named", n)
	}
}

// A config file another user could change is refused, naming the file
// and its mode; so is one in a directory others can write.
func TestConfigFileOthersCanWriteRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode os.FileMode
		dir  bool // chmod the directory, not the file
	}{
		{"group-writable file", 0o664, false},
		{"world-writable file", 0o646, false},
		{"world-writable directory", 0o777, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			xdg := t.TempDir()
			path := writeFile(t, xdg, "drover/drover.yaml", "log-level: debug\n")
			bad := path
			if tc.dir {
				bad = filepath.Dir(path)
			}
			if err := os.Chmod(bad, tc.mode); err != nil {
				t.Fatal(err)
			}
			for _, env := range []fakeEnv{{"XDG_CONFIG_HOME": xdg}, {"DROVER_CONFIG": path}} {
				r := runCLI(t, env, "", "version")
				wantCode(t, r, exitError)
				wantContains(t, r, "stderr", "config file "+path+": refusing it", fmt.Sprintf("%s (mode %04o", bad, tc.mode), "chmod go-w")
			}
		})
	}
}

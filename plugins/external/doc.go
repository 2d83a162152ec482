// Package external runs drover's external plugins: binaries named
// drover-plugin-<name> that serve an instance plugin, a flavor plugin or
// both over gRPC (package plugingrpc; plugins are written with package
// sdk).
//
// Discover finds the binaries: every executable regular file named
// drover-plugin-<name> in the plugin directory, plus the binaries the
// drover config file names explicitly. A Manager holds one Supervisor per
// binary and resolves plugin names for the registry: the first time a
// spec names a plugin the registry does not know, the binary is started,
// asked what it serves and registered like a built-in.
//
// A Supervisor starts its plugin lazily, on first use, watches it, and
// restarts it after a crash with exponential backoff (1 s doubling to
// 1 min, back to 1 s after a minute up). While the plugin is down its
// calls fail at once with an spierr.ErrUnavailable error marked NotDone,
// so the groups using it are reported degraded and no create slot is held,
// while other groups go on converging. After a restart every provider is
// configured again before a call goes through.
//
// Plugin processes never outlive drover: each is started with
// Pdeathsig SIGKILL (linux) from one goroutine locked to its OS thread for
// the life of the process (the signal follows the thread, not the
// process), and Close or the end of Start's context kills them all. They
// get only PATH, HOME, TMPDIR and LANG from drover's environment, and talk
// to drover over mutual TLS on a unix socket (go-plugin's AutoMTLS).
// Their log lines (hclog JSON or plain text on stderr) land in drover's
// log, tagged plugin=<name>.
package external

//go:build !linux

package external

import "os/exec"

// setParentDeath does nothing here: only linux has Pdeathsig. Plugins
// built with package sdk also exit when their parent changes.
func setParentDeath(*exec.Cmd) {}

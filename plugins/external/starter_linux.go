package external

import (
	"os/exec"
	"syscall"
)

// setParentDeath makes the kernel SIGKILL the plugin when the thread that
// started it ends: with the starter's thread locked for the life of the
// process, when drover dies, however it dies.
func setParentDeath(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}

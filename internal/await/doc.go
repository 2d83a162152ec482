// Package await waits in tests for what another process (an engine, a
// plugin, a fake cloud) does: a condition is polled until it holds or a
// timeout fails the test with the condition's last word.
package await

#!/usr/bin/env bash
# Makes sure a `prometheus` binary is on PATH: the prometheus metric's tests
# (metric/prometheustest) run a real Prometheus. Nothing is done when one is
# there already. Otherwise, as root on a machine with apt, Debian's
# `prometheus` package is installed from the mirror this machine's apt
# already uses, without starting its service: the tests start their own,
# on a free port, and stop it.
#
#   scripts/ensure-prometheus.sh
#
# Elsewhere it fails, saying what is missing and how to get it.
set -euo pipefail

if command -v prometheus >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "ensure-prometheus: the prometheus binary is missing: the tests of the prometheus" \
    "metric run a real Prometheus (2.x). Install it (as root on Debian or Ubuntu:" \
    "apt-get install --no-install-recommends prometheus), or put a Prometheus release" \
    "binary named prometheus on PATH, then run again." >&2
  exit 1
fi

# The package's maintainer scripts must not start a Prometheus service:
# invoke-rc.d and deb-systemd-invoke ask policy-rc.d, and 101 means "do not".
# A policy the machine has already is left as it is.
policy=/usr/sbin/policy-rc.d
made_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# ensure-prometheus.sh: no service starts while it installs.\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  made_policy=1
fi
cleanup() { if [ -n "$made_policy" ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

echo "ensure-prometheus: installing Debian's prometheus package"
apt_install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus >/dev/null; }
apt_install || { apt-get update -q >/dev/null && apt_install; } || {
  echo "ensure-prometheus: apt-get could not install prometheus; install it by hand (apt-get install --no-install-recommends prometheus)" >&2
  exit 1
}

# Under systemd, the package enables its unit for the next boot: disable it
# and stop it, should anything have started it anyway.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
  systemctl disable --now prometheus.service >/dev/null 2>&1 || true
fi
command -v prometheus >/dev/null || { echo "ensure-prometheus: prometheus was installed but is not on PATH" >&2; exit 1; }
echo "ensure-prometheus: $(prometheus --version 2>&1 | head -1)"

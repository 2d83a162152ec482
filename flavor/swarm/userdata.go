package swarm

import (
	"fmt"
	"strings"
)

// engineCertDir is where a machine of engine = "tls" keeps the CA
// certificate and its own certificate and key.
const engineCertDir = "/etc/docker/drover"

// tlsEngineScript is the user data that makes a machine's engine reachable
// by drover only with mutual TLS. cloud-init runs a user data that starts
// with "#!" as it is; the script is POSIX sh and, as it ends, leaves the
// rest of the user data (the provider's own user_data) to run. It:
//
//  1. installs Docker if dockerd is missing, with the machine's own
//     package manager (apt-get's docker.io, from the mirror the image is
//     configured with; drover names no download host);
//  2. writes the CA certificate, the machine's certificate and its key
//     (mode 0600) to /etc/docker/drover;
//  3. opens the swarm's ports (and 2376) in ufw if ufw is active, as on
//     DigitalOcean's Docker image, and closes 2375 there;
//  4. makes dockerd also listen on tcp://0.0.0.0:2376 with --tlsverify:
//     under systemd, with a drop-in that keeps the unit's own ExecStart
//     and adds the flags (daemon.json is left alone: a "hosts" there
//     conflicts with the -H flags of the stock units); without systemd (a
//     container), by starting dockerd in the background;
//  5. waits (at most two minutes) for the engine's socket.
//
// Neither the CA key nor drover's client key is in it. Swarm join
// material is not either: drover joins the machine over the TLS API once
// the engine answers.
const tlsEngineScript = `#!/bin/sh
# drover: install Docker if it is missing and serve the engine's API on
# :{{port}} with mutual TLS only (swarm {{swarm}}, machine {{name}}).
# drover joins the swarm through that API; no join token is in this file.
set -eu
if ! command -v dockerd >/dev/null 2>&1; then
	if command -v apt-get >/dev/null 2>&1; then
		apt-get update -q
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io
	else
		echo "drover: dockerd is missing and apt-get cannot install it: use an image with Docker (docker-20-04 on DigitalOcean)" >&2
		exit 1
	fi
fi
d={{dir}}
mkdir -p "$d"
chmod 0700 "$d"
umask 077
cat >"$d/ca.pem" <<'DROVER_PEM'
{{ca}}DROVER_PEM
cat >"$d/cert.pem" <<'DROVER_PEM'
{{cert}}DROVER_PEM
cat >"$d/key.pem" <<'DROVER_PEM'
{{key}}DROVER_PEM
chmod 0644 "$d/ca.pem" "$d/cert.pem"
chmod 0600 "$d/key.pem"
umask 022
tls="-H tcp://0.0.0.0:{{port}} --tlsverify --tlscacert=$d/ca.pem --tlscert=$d/cert.pem --tlskey=$d/key.pem"
if command -v ufw >/dev/null 2>&1 && ufw status 2>/dev/null | grep -q 'Status: active'; then
	for p in {{port}}/tcp 2377/tcp 7946/tcp 7946/udp 4789/udp; do ufw allow "$p" >/dev/null; done
	ufw delete allow 2375/tcp >/dev/null 2>&1 || true
fi
if [ -d /run/systemd/system ]; then
	conf=/etc/systemd/system/docker.service.d/50-drover.conf
	mkdir -p "${conf%/*}"
	rm -f "$conf"
	systemctl daemon-reload
	start=$(systemctl cat docker.service 2>/dev/null | sed -n 's/^ExecStart=//p' | grep -v '^$' | tail -n 1)
	[ -n "$start" ] || start=$(command -v dockerd)
	case " $start " in
	*" -H "* | *" --host"*) ;;
	*) start="$start -H unix:///var/run/docker.sock" ;;
	esac
	printf '[Service]\nExecStart=\nExecStart=%s %s\n' "$start" "$tls" >"$conf"
	systemctl daemon-reload
	systemctl enable docker >/dev/null 2>&1 || true
	systemctl restart docker
else
	if [ -s /var/run/docker.pid ] && kill "$(cat /var/run/docker.pid)" 2>/dev/null; then
		i=0
		while [ -e /var/run/docker.pid ] && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
	fi
	nohup dockerd -H unix:///var/run/docker.sock $tls >/var/log/dockerd.log 2>&1 </dev/null &
fi
i=0
while [ ! -S /var/run/docker.sock ] && [ $i -lt 120 ]; do sleep 1; i=$((i + 1)); done
`

// tlsEngineUserData is tlsEngineScript for one machine: name and swarm
// are only said in its comment; the PEM blocks are the CA certificate and
// the machine's certificate and key.
func tlsEngineUserData(name, swarm string, caPEM, certPEM, keyPEM []byte) string {
	return strings.NewReplacer(
		"{{port}}", fmt.Sprint(EnginePort),
		"{{swarm}}", oneLine(swarm),
		"{{name}}", oneLine(name),
		"{{dir}}", engineCertDir,
		"{{ca}}", withNewline(caPEM),
		"{{cert}}", withNewline(certPEM),
		"{{key}}", withNewline(keyPEM),
	).Replace(tlsEngineScript)
}

// oneLine keeps a name from ending the comment it is in.
func oneLine(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) }

func withNewline(b []byte) string {
	s := string(b)
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

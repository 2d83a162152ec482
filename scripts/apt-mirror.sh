#!/usr/bin/env bash
# Prints the Debian mirror to build the node image from: DEBIAN_MIRROR when
# set, else the URI this machine's apt uses for Debian bookworm's main
# component, read from sources.list, sources.list.d/*.list (one-line
# format) and sources.list.d/*.sources (deb822), in the order apt reads
# them. Exits 1 with a message when there is none. No mirror is named here:
# the machine's own configuration is the authority.
#
#   scripts/apt-mirror.sh          (APT_ETC=dir reads dir instead of /etc/apt)
#
# build-node-image.sh sources this file and calls debian_mirror.

debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then
    printf '%s\n' "$DEBIAN_MIRROR"
    return 0
  fi
  local etc="${APT_ETC:-/etc/apt}" f files=() uri
  [ -f "$etc/sources.list" ] && files+=("$etc/sources.list")
  for f in "$etc"/sources.list.d/*; do
    case "$f" in *.list | *.sources) [ -f "$f" ] && files+=("$f") ;; esac
  done
  uri=""
  if [ "${#files[@]}" -gt 0 ]; then
    uri=$(awk -f - "${files[@]}" <<'AWK'
# usable: a deb source of suite bookworm with component main, at a URI
# debootstrap can fetch from.
function usable(types, uris, suites, comps,   u) {
  if (!has(types, "deb") || !has(suites, "bookworm") || !has(comps, "main")) return ""
  split(uris, u, /[ \t]+/)
  if (u[1] ~ /^(https?:\/\/|file:\/)/) return u[1]
  return ""
}
function has(list, word,   w, n, i) {
  n = split(list, w, /[ \t]+/)
  for (i = 1; i <= n; i++) if (w[i] == word) return 1
  return 0
}
function found(u) { if (u != "") { print u; done = 1; exit } }
# A deb822 stanza ends at a blank line or at the end of its file.
function stanza_end() {
  if (enabled != "no") found(usable(f["types"], f["uris"], f["suites"], f["components"]))
  delete f; enabled = ""; key = ""
}
FNR == 1 && NR > 1 && prev ~ /\.sources$/ { stanza_end() }
{ prev = FILENAME }
FILENAME ~ /\.sources$/ {
  if ($0 ~ /^#/) next
  if ($0 ~ /^[ \t]*$/) { stanza_end(); next }
  if ($0 ~ /^[ \t]/ && key != "") { f[key] = f[key] " " $0; next }
  i = index($0, ":")
  if (i == 0) next
  key = tolower(substr($0, 1, i - 1))
  val = substr($0, i + 1); gsub(/^[ \t]+|[ \t]+$/, "", val)
  f[key] = val
  if (key == "enabled") enabled = tolower(val)
  next
}
{
  sub(/#.*/, "")
  if ($1 != "deb") next
  n = 2
  if ($2 ~ /^\[/) { while (n <= NF && $n !~ /\]$/) n++; n++ }
  comps = ""
  for (i = n + 2; i <= NF; i++) comps = comps " " $i
  found(usable("deb", $n, $(n + 1), comps))
}
END { if (!done && prev ~ /\.sources$/) stanza_end() }
AWK
    )
  fi
  if [ -z "$uri" ]; then
    echo "no Debian mirror found: no 'deb' source of suite bookworm with component main in $etc/sources.list, $etc/sources.list.d/*.list or $etc/sources.list.d/*.sources; set DEBIAN_MIRROR to the URL of a Debian mirror" >&2
    return 1
  fi
  printf '%s\n' "$uri"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  debian_mirror
fi

#!/usr/bin/env bash
# make demo-gitops: a daemon that follows a git repository. It makes a
# bare repository (a stand-in for GitHub or GitLab) and a clone of it under
# $DEMO_DIR (default /tmp/drover-gitops-demo), pushes examples/gitops to it,
# runs `drover run` with its own data dir and a webhook listener, and adds
# the repository as a source. Then every commit you push is applied.
set -euo pipefail
cd "$(dirname "$0")/.."
die() { echo "demo-gitops: $*" >&2; exit 1; }
command -v git >/dev/null || die "needs git (the daemon serves file:// sources with git-upload-pack): apt-get install -y git"
command -v openssl >/dev/null || die "needs openssl, to sign the webhook: apt-get install -y openssl"
docker info >/dev/null 2>&1 || die "needs a running Docker engine: 'docker info' failed"
./scripts/build-demo-image.sh

demo="${DEMO_DIR:-/tmp/drover-gitops-demo}"
hook="${DEMO_WEBHOOK:-127.0.0.1:9292}"
drover="$PWD/bin/drover"
rm -rf "$demo/data" "$demo/web.git" "$demo/web"
mkdir -p "$demo"
export DROVER_DATA_DIR="$demo/data"

git init -q --bare -b main "$demo/web.git"
git clone -q "$demo/web.git" "$demo/web" 2>/dev/null
cp -r examples/gitops/deploy "$demo/web/"
git -C "$demo/web" add deploy
git -C "$demo/web" -c user.name=demo -c user.email=demo@example.com commit -qm "web: two replicas"
git -C "$demo/web" push -q origin HEAD:main
openssl rand -hex 32 > "$demo/webhook-secret"

"$drover" run --webhook-listen "$hook" &
daemon=$!
trap 'kill $daemon 2>/dev/null; wait $daemon 2>/dev/null' EXIT
for _ in $(seq 100); do [ -S "$DROVER_DATA_DIR/drover.sock" ] && break; sleep 0.1; done
GREETING="hello from a commit" "$drover" source add web --url "file://$demo/web.git" --path deploy \
  --env GREETING --prune --interval 1m --webhook-secret-file "$demo/webhook-secret"
"$drover" source sync web
"$drover" source list

cat <<TXT

drover follows $demo/web.git (branch main, directory deploy). In another
terminal, with DROVER_DATA_DIR=$DROVER_DATA_DIR:

  cd $demo/web
  sed -i 's/default = 2/default = 3/' deploy/web.hcl
  git commit -qam "three replicas" && git push -q origin HEAD:main
  body='{"ref":"refs/heads/main"}'     # tell drover at once (or wait for the 1m poll)
  sig=\$(printf '%s' "\$body" | openssl dgst -sha256 -hmac "\$(cat $demo/webhook-secret)" -r | cut -d' ' -f1)
  curl -sS http://$hook/hooks/web -H "X-Drover-Signature: sha256=\$sig" -H "X-Drover-Delivery: \$(date +%s%N)" --data-binary "\$body"
  $drover source show web          # applied: the new commit
  $drover history                  # each revision: stack web, the commit and its message

A commit that does not load is refused at file:line and the one before
keeps running. '$drover source remove web --destroy' removes the containers
(while the daemon runs); Ctrl-C stops the daemon, and what it runs stays.

TXT
wait $daemon

#!/usr/bin/env bash
# Polis end to end on embedded defaults: start polisd, make a busybox image from Debian's
# busybox-static, run containers, show ps and logs, clean up.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

POLIS=./bin/polis
SOCK=/run/polis/polis.sock
export POLIS_HOST="unix://$SOCK"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

started=""
if ! $POLIS version >/dev/null 2>&1; then
  echo "demo: starting polisd (data root /var/lib/polis, socket $SOCK)"
  ./bin/polisd >/tmp/polisd-demo.log 2>&1 &
  started=$!
  for _ in $(seq 1 100); do [[ -S $SOCK ]] && $POLIS version >/dev/null 2>&1 && break; sleep 0.1; done
fi
cleanup() {
  $POLIS rm -f demo-web >/dev/null 2>&1 || true
  if [[ -n $started ]]; then kill -TERM "$started" 2>/dev/null || true; wait "$started" 2>/dev/null || true; fi
  rm -f /tmp/polis-demo-busybox.tar
}
trap cleanup EXIT

step "make a busybox rootfs from Debian's busybox-static and import it"
node scripts/busybox-tar.mjs /tmp/polis-demo-busybox.tar
$POLIS import /tmp/polis-demo-busybox.tar busybox:latest
$POLIS images

step "polis run --rm busybox echo hello from a polis container"
$POLIS run --rm busybox echo hello from a polis container

step "polis run -d --name demo-web busybox (a ticking clock)"
$POLIS run -d --name demo-web busybox sh -c 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 1; done'
sleep 2.5

step "polis ps"
$POLIS ps

step "polis exec demo-web sh -c 'hostname; id'"
$POLIS exec demo-web sh -c 'hostname; id'

step "echo piped | polis run -i --rm busybox tr a-z A-Z"
echo piped | $POLIS run -i --rm busybox tr a-z A-Z

step "polis logs --tail 2 demo-web"
$POLIS logs --tail 2 demo-web

step "polis run --rm busybox sh -c 'exit 3'  (exit code comes back)"
set +e
$POLIS run --rm busybox sh -c 'exit 3'
echo "exit code: $?"
set -e

step "polis stop -t 1 demo-web && polis rm demo-web"
$POLIS stop -t 1 demo-web
$POLIS rm demo-web

step "polis ps -a"
$POLIS ps -a
echo
echo "demo: done"

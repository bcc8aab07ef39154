#!/usr/bin/env bash
# Polis end to end on embedded defaults: start polisd, make a busybox image from Debian's
# busybox-static, push it to a local registry (Debian's docker-registry on 127.0.0.1) and pull it
# back, run containers, show ps and logs, clean up.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

POLIS=./bin/polis
SOCK=/run/polis/polis.sock
export POLIS_HOST="unix://$SOCK"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

started=""
registry=""
REG_IMAGE=""
REGDIR=$(mktemp -d /tmp/polis-demo-registry.XXXXXX)
if ! $POLIS version >/dev/null 2>&1; then
  echo "demo: starting polisd (data root /var/lib/polis, socket $SOCK)"
  ./bin/polisd >/tmp/polisd-demo.log 2>&1 &
  started=$!
  for _ in $(seq 1 100); do [[ -S $SOCK ]] && $POLIS version >/dev/null 2>&1 && break; sleep 0.1; done
fi
cleanup() {
  $POLIS rm -f demo-web >/dev/null 2>&1 || true
  if [[ -n $REG_IMAGE ]]; then $POLIS rmi "$REG_IMAGE" >/dev/null 2>&1 || true; fi
  if [[ -n $registry ]]; then kill -TERM "$registry" 2>/dev/null || true; wait "$registry" 2>/dev/null || true; fi
  if [[ -n $started ]]; then kill -TERM "$started" 2>/dev/null || true; wait "$started" 2>/dev/null || true; fi
  rm -rf /tmp/polis-demo-busybox.tar "$REGDIR"
}
trap cleanup EXIT

step "make a busybox rootfs from Debian's busybox-static and import it"
node scripts/busybox-tar.mjs /tmp/polis-demo-busybox.tar
$POLIS import /tmp/polis-demo-busybox.tar busybox:latest
$POLIS images

# A free loopback port for the registry.
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
REG_IMAGE="127.0.0.1:$PORT/demo/busybox:1"
cat >"$REGDIR/config.yml" <<EOF
version: 0.1
storage: { filesystem: { rootdirectory: $REGDIR/data }, delete: { enabled: true } }
http: { addr: 127.0.0.1:$PORT }
log: { level: error }
EOF
step "a local registry: docker-registry serve (127.0.0.1:$PORT)"
docker-registry serve "$REGDIR/config.yml" >"$REGDIR/log" 2>&1 &
registry=$!
for _ in $(seq 1 100); do
  node -e "fetch('http://127.0.0.1:$PORT/v2/').then(()=>process.exit(0),()=>process.exit(1))" && break
  sleep 0.1
done

step "polis tag busybox $REG_IMAGE && polis push $REG_IMAGE"
$POLIS tag busybox "$REG_IMAGE"
$POLIS push "$REG_IMAGE"

step "polis rmi $REG_IMAGE && polis pull $REG_IMAGE"
$POLIS rmi "$REG_IMAGE"
$POLIS pull "$REG_IMAGE"
$POLIS images --digests

step "polis run --rm $REG_IMAGE echo pulled from the registry"
$POLIS run --rm "$REG_IMAGE" echo pulled from the registry

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

step "polis image prune -f  (the busybox images earlier runs of this demo left untagged)"
$POLIS image prune -f
echo
echo "demo: done"

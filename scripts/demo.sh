#!/usr/bin/env bash
# Polis end to end on embedded defaults: start polisd, make a busybox image from Debian's
# busybox-static, push it to a local registry (Debian's docker-registry on 127.0.0.1) and pull it
# back, run containers, serve a web page on a published port and reach containers by name on a user
# network, keep data in a volume, copy files in and out, show ps and logs, clean up.
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
CPDIR=$(mktemp -d /tmp/polis-demo-cp.XXXXXX)
if ! $POLIS version >/dev/null 2>&1; then
  echo "demo: starting polisd (data root /var/lib/polis, socket $SOCK)"
  ./bin/polisd >/tmp/polisd-demo.log 2>&1 &
  started=$!
  for _ in $(seq 1 100); do [[ -S $SOCK ]] && $POLIS version >/dev/null 2>&1 && break; sleep 0.1; done
fi
cleanup() {
  $POLIS rm -f demo-web web web-client >/dev/null 2>&1 || true
  $POLIS network rm demo-net >/dev/null 2>&1 || true
  $POLIS rm -f demo-files >/dev/null 2>&1 || true
  $POLIS volume rm demo-data >/dev/null 2>&1 || true
  if [[ -n $REG_IMAGE ]]; then $POLIS rmi "$REG_IMAGE" >/dev/null 2>&1 || true; fi
  if [[ -n $registry ]]; then kill -TERM "$registry" 2>/dev/null || true; wait "$registry" 2>/dev/null || true; fi
  if [[ -n $started ]]; then kill -TERM "$started" 2>/dev/null || true; wait "$started" 2>/dev/null || true; fi
  rm -rf /tmp/polis-demo-busybox.tar "$REGDIR" "$CPDIR"
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

# 8080 as in Docker's classic example, unless something on this host already listens there.
WEB_PORT=8080
node -e 'const s=require("net").createServer().once("error",()=>process.exit(1)).listen(8080,()=>s.close())' ||
  WEB_PORT=$(node -e 'const s=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})')
step "polis run -d --name web -p $WEB_PORT:80 busybox httpd (a web server with a published port)"
$POLIS run -d --name web -p "$WEB_PORT:80" busybox sh -c \
  'mkdir -p /www && echo "hello from a polis web server" > /www/index.html && exec httpd -f -p 80 -h /www'
$POLIS port web
for _ in $(seq 1 50); do node -e "fetch('http://127.0.0.1:$WEB_PORT/').then(()=>process.exit(0),()=>process.exit(1))" && break; sleep 0.1; done
step "fetch http://127.0.0.1:$WEB_PORT/ from the host"
node -e "fetch('http://127.0.0.1:$WEB_PORT/').then(r=>r.text()).then(t=>process.stdout.write(t))"

step "polis network create demo-net; containers on it find each other by name"
$POLIS network create demo-net
$POLIS network connect --alias www demo-net web
$POLIS run --rm --init --network demo-net busybox timeout 5 wget -qO- http://web/
$POLIS run --rm --init --network demo-net busybox timeout 5 wget -qO- http://www/
$POLIS network ls

step "polis rm -f web && polis network rm demo-net"
$POLIS rm -f web
$POLIS network rm demo-net

step "polis volume create demo-data; data outlives the container that wrote it"
$POLIS volume create demo-data
$POLIS run --rm -v demo-data:/data busybox sh -c 'echo kept in a volume > /data/note'
$POLIS run --rm -v demo-data:/data:ro busybox cat /data/note

step "polis cp into and out of a container; polis diff shows what changed"
echo "copied in from the host" >"$CPDIR/in.txt"
$POLIS create --name demo-files -v demo-data:/data busybox true >/dev/null
$POLIS cp "$CPDIR/in.txt" demo-files:/in.txt
$POLIS cp demo-files:/data/note "$CPDIR/note"
cat "$CPDIR/note"
$POLIS diff demo-files
$POLIS rm demo-files
$POLIS volume rm demo-data

step "polis ps -a"
$POLIS ps -a

step "polis image prune -f  (the busybox images earlier runs of this demo left untagged)"
$POLIS image prune -f
echo
echo "demo: done"

#!/usr/bin/env bash
# Installs what Polis needs on Debian 12 (as root) and builds it. Safe to run again: it only does
# what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(crun runc conmon busybox-static catatonit tar zstd isal iproute2 util-linux procps tmux gcc libc6-dev
  docker-registry skopeo umoci openssl attr nftables conntrack docker-compose chromium)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# kubectl is the SPDY client of the CRI streaming tests; Debian's kubernetes-client when none is there.
command -v kubectl >/dev/null || missing+=(kubernetes-client)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when the lockfile changed since the last install.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "setup: build"
npm run --silent build

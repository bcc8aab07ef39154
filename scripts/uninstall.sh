#!/usr/bin/env bash
# Reverses scripts/install.sh (as root; safe to run again), with the same PREFIX, ETC, SYSTEMD_DIR and
# COMPLETION_DIR. Images, containers and volumes stay in the data root unless --purge is given, which
# also removes it (DATA_ROOT, default /var/lib/polis).
set -euo pipefail
PREFIX=${PREFIX:-/usr/local}
ETC=${ETC:-/etc}
SYSTEMD_DIR=${SYSTEMD_DIR:-$ETC/systemd/system}
COMPLETION_DIR=${COMPLETION_DIR:-$PREFIX/share/bash-completion/completions}
DATA_ROOT=${DATA_ROOT:-/var/lib/polis}
purge=false
for a in "$@"; do
  case $a in
    --purge) purge=true ;;
    *) echo "usage: $0 [--purge]" >&2; exit 2 ;;
  esac
done

if [[ -d /run/systemd/system && -f "$SYSTEMD_DIR/polisd.service" ]]; then
  systemctl disable --now polisd.socket polisd.service 2>/dev/null || true
  rm -f "$SYSTEMD_DIR/polisd.socket" "$SYSTEMD_DIR/polisd.service"
  systemctl daemon-reload
fi
rm -f "$SYSTEMD_DIR/polisd.socket" "$SYSTEMD_DIR/polisd.service"
rm -f "$PREFIX/bin/polis" "$PREFIX/bin/polis.new" "$PREFIX/bin/polisd" "$COMPLETION_DIR/polis"
rm -f "$ETC/polis/daemon.json"
rmdir "$ETC/polis" 2>/dev/null || true
echo "uninstall: removed polis, polisd, the completion, the service units and $ETC/polis/daemon.json"
if $purge; then
  rm -rf "$DATA_ROOT"
  echo "uninstall: removed the data root $DATA_ROOT"
else
  [[ -d "$DATA_ROOT" ]] && echo "uninstall: the data root $DATA_ROOT is left (--purge removes it)"
fi
exit 0

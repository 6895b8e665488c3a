#!/usr/bin/env bash
# Installs the system packages the gateway needs and that are missing, with apt-get:
#   postgres  PostgreSQL server binaries (initdb, pg_ctl), for `make dev` and the tests
#   chromium  Debian's Chromium, for the browser tests (never a downloaded browser)
#   redis     Debian's Redis server, for the peer of `make bench-peer` (bench/peer.sh)
#   sqlite3   the SQLite shell, with which `make bench-growth` fills Temporal's visibility store
set -euo pipefail

missing=()
for what in "$@"; do
  case "$what" in
    postgres)
      if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && ! command -v initdb >/dev/null; then
        missing+=(postgresql)
      fi ;;
    chromium)
      command -v chromium >/dev/null || missing+=(chromium) ;;
    redis)
      command -v redis-server >/dev/null || missing+=(redis-server) ;;
    sqlite3)
      command -v sqlite3 >/dev/null || missing+=(sqlite3) ;;
    *) echo "install-deps: unknown dependency $what" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing ${missing[*]} with apt-get..."
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to apt-get install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

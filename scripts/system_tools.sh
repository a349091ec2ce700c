#!/usr/bin/env bash
# What `make test` needs from the system besides Python and Node.js: Debian's gettext, chromium (the browser
# tests drive it; no browser is ever downloaded), a compose client (docker-compose.yml is
# validated; no engine needed) and Debian's nginx (tests/deploy starts its own, on loopback ports,
# in front of two server processes; the system service is not used). Run as root on Debian (as CI
# is), it installs what is missing;
# otherwise it stops at once with the command that installs it. Nothing is skipped.
set -euo pipefail

chromium="${CHROMIUM:-/usr/bin/chromium}"
nginx="${NGINX:-/usr/sbin/nginx}"
# LIVEHUB_SYSTEM_INSTALL=0: never install, only say what is missing (the tests of this script).
install="${LIVEHUB_SYSTEM_INSTALL:-1}"

missing=()
[ -x "$chromium" ] || missing+=(chromium)
[ -x "$nginx" ] || missing+=(nginx)
# GNU gettext's msgfmt compiles the French and Dutch catalogues (make messages).
command -v "${MSGFMT:-msgfmt}" >/dev/null 2>&1 || missing+=(gettext)
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then
  missing+=(docker-compose)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$install" = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's ${missing[*]} (make test needs them; this happens once)"
  apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
  exit 0
fi
echo "make test needs Debian's ${missing[*]}, which is not installed. Install it with:" >&2
echo "  sudo apt-get install -y ${missing[*]}" >&2
exit 1

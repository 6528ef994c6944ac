#!/usr/bin/env bash
# Installs the Debian packages listed in apt-packages.txt when any is missing.
# As root it installs them (adding bookworm-backports for meson); otherwise it
# prints the exact command to run and fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
list="${CC_APT_LIST:-$here/apt-packages.txt}"
[ -r "$list" ] || { echo "[setup] apt: cannot read the package list $list" >&2; exit 1; }

mapfile -t entries < <(grep -v '^\s*#' "$list" | sed '/^\s*$/d')
main=(); backports=(); missing=()
for e in "${entries[@]}"; do
  pkg="${e%@*}"
  if [[ "$e" == *@* ]]; then backports+=("$pkg"); else main+=("$pkg"); fi
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
# meson must be >= 1.1 (bookworm has 1.0.1): an old one counts as missing.
if command -v meson >/dev/null && ! printf '1.1.0\n%s\n' "$(meson --version)" | sort -V -C; then
  missing+=("meson(>=1.1)")
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "[setup] apt: all ${#entries[@]} packages present"
  exit 0
fi
echo "[setup] apt: missing ${missing[*]}"

bp_line='Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg'
cmd_main="apt-get install -y --no-install-recommends ${main[*]}"
cmd_bp="apt-get install -y --no-install-recommends -t bookworm-backports ${backports[*]}"
if [ "$(id -u)" != "0" ]; then
  {
    echo "The command center needs Debian packages that are not installed. As root, run:"
    echo
    echo "  printf '$bp_line\n' > /etc/apt/sources.list.d/bookworm-backports.sources"
    echo "  apt-get update && $cmd_bp && $cmd_main"
    echo
    echo "then run npm install again."
  } >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  printf "$bp_line\n" > /etc/apt/sources.list.d/bookworm-backports.sources
fi
retry() { for i in 1 2 3 4 5 6; do "$@" && return 0; echo "[setup] apt busy or failed, retry $i in 10 s"; sleep 10; done; return 1; }
t0=$SECONDS
echo "[setup] apt-get update"
retry apt-get update -q
echo "[setup] apt-get install (backports): ${backports[*]}"
retry $cmd_bp -q
echo "[setup] apt-get install: ${#main[@]} packages (this takes a few minutes on a fresh machine)"
retry $cmd_main -q -o Dpkg::Progress-Fancy=0
echo "[setup] apt: done in $((SECONDS - t0)) s"

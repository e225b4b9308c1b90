#!/usr/bin/env bash
# Debian packages the project needs beyond Python wheels, installed when missing.
# Usage: scripts/system-deps.sh run|test
#   run : python3-venv, libfribidi0 (Pillow's Thai text layout for printed tickets)
#   test: the above + chromium and fonts for browser tests, nginx for the reverse-proxy test,
#         poppler-utils to read printed PDFs, espeak-ng for the voice clips test
set -euo pipefail

want=(libfribidi0)
python3 -c 'import venv, ensurepip' 2>/dev/null || want+=(python3-venv)
if [ "${1:-run}" = "test" ]; then
  want+=(chromium fonts-liberation fonts-thai-tlwg nginx-light poppler-utils espeak-ng)
fi

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=sudo
  else
    echo "Saduak needs these Debian packages: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
echo "Installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

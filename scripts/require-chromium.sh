#!/usr/bin/env bash
# The browser tests need Debian's chromium and chromium-driver. `make test` runs this first:
# present -> nothing to do; missing and we are root with apt -> install them; otherwise fail
# saying exactly what to install (or how to skip the browser tests on purpose).
set -euo pipefail
chromium=${CHROMIUM_BINARY:-/usr/bin/chromium}
driver=${CHROMEDRIVER:-/usr/bin/chromedriver}
if [ -x "$chromium" ] && [ -x "$driver" ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing chromium and chromium-driver for the browser tests (apt-get)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  [ -x "$chromium" ] && [ -x "$driver" ] && exit 0
fi
cat >&2 <<MSG
The browser tests need Chromium and its driver, and they are not installed:
    sudo apt-get install -y chromium chromium-driver      (Debian/Ubuntu)
or point CHROMIUM_BINARY / CHROMEDRIVER at them, or skip the browser tests on purpose:
    make test BROWSER=0
MSG
exit 1

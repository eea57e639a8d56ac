#!/usr/bin/env bash
# System packages the test suite needs: Debian's Chromium for the browser tests.
# A missing prerequisite is an error, never a reason to skip tests.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
if [ ! -x /usr/bin/chromium ]; then
  echo "install-test-deps: /usr/bin/chromium is still missing" >&2
  exit 1
fi

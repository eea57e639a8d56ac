#!/usr/bin/env bash
# Refresh and compile every package's English catalogue (see scripts/i18n.py).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/i18n.py "$@"

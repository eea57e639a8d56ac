#!/usr/bin/env bash
# Install everything the tests need and run the whole suite: lint, types, tests on
# SQLite and PostgreSQL (127.0.0.1:5432, database "test"), browser tests in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e ".[test]"
bash scripts/install-test-deps.sh

.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python scripts/audit_deps.py
.venv/bin/pytest -n 2 "$@"

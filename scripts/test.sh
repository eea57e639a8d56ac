#!/usr/bin/env bash
# Install everything the tests need and run the whole suite: lint, types, tests on
# SQLite and PostgreSQL (127.0.0.1:5432, database "test"), browser tests in Chromium;
# then the date-sensitive tests again at the moments where calendars break.
# Arguments go to the first pytest run, and a run given arguments skips the second part.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh --test
bash scripts/install-test-deps.sh

.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python scripts/audit_deps.py
.venv/bin/pytest -n 2 "$@"
if [ $# -eq 0 ]; then
  bash scripts/test-calendar.sh
fi

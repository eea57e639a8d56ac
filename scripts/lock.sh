#!/usr/bin/env bash
# Refresh the hash-checked locks in requirements/ from pyproject.toml, with uv:
#   run.txt   what the shop runs, and the build backend that installs it;
#   test.txt  the same pins, plus the test, lint and lock tools.
# Both hold every platform's files for Python 3.11 and later. Pins already in a lock stay
# unless pyproject.toml now needs others; `bash scripts/lock.sh --upgrade` takes today's
# releases (run the whole suite before committing them), `--upgrade-package NAME` one.
set -euo pipefail
cd "$(dirname "$0")/.."

uv=.venv/bin/uv
if [ ! -x "$uv" ]; then
  echo "lock: $uv is missing; install the test needs first: bash scripts/install.sh --test" >&2
  exit 1
fi
# pip installs the project without build isolation (scripts/install.sh), so the locks
# carry the build backend that pyproject.toml names.
build_system() {
  .venv/bin/python -c 'import sys, tomllib
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))'
}
compile() {
  build_system | "$uv" pip compile --quiet --universal --python-version 3.11 \
    --generate-hashes --custom-compile-command "bash scripts/lock.sh" "$@"
}
compile "$@" pyproject.toml - -o requirements/run.txt
compile "$@" --extra test --extra lock -c requirements/run.txt pyproject.toml - \
  -o requirements/test.txt

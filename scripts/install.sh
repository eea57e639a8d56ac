#!/usr/bin/env bash
# Install e-Warung POS into .venv from the hash-checked locks (requirements/, refreshed by
# scripts/lock.sh): the shop's dependencies, and with --test also what the tests need.
# Every file pip fetches must match a hash in the lock, so a new upstream release, or a
# changed file, never reaches a shop unnoticed.
set -euo pipefail
cd "$(dirname "$0")/.."

lock=requirements/run.txt
if [ "${1:-}" = "--test" ]; then
  lock=requirements/test.txt
elif [ -n "${1:-}" ]; then
  echo "usage: bash scripts/install.sh [--test]" >&2
  exit 2
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --require-hashes -r "$lock"
# Built with the locked setuptools, not whatever release is newest today.
.venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
# A dependency added to pyproject.toml but not to the lock shows here, not in the shop.
missing=$(.venv/bin/python -m pip check | grep '^ewarung-pos ' || true)
if [ -n "$missing" ]; then
  echo "$missing" >&2
  echo "install: $lock lacks what pyproject.toml asks for; run: bash scripts/lock.sh" >&2
  exit 1
fi

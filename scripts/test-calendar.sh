#!/usr/bin/env bash
# The tests marked `calendar` at frozen moments (tests/conftest.py travels the clock to
# EWARUNG_TEST_NOW and lets it tick): the first and the last day of a month, 29 February,
# 31 December, and the shop's midnight (Asia/Jakarta, UTC+7) while UTC is still on the
# day before, at a month's and at a year's turn.
set -euo pipefail
cd "$(dirname "$0")/.."

MOMENTS=(
  2026-12-01T09:00:00+07:00  # the 1st of a month
  2026-11-30T23:30:00+07:00  # the last day of a month, late (16:30 UTC)
  2028-02-29T12:00:00+07:00  # 29 February
  2026-12-31T15:00:00+07:00  # 31 December
  2027-03-01T00:15:00+07:00  # the shop's 1 March, UTC's 28 February
  2027-01-01T06:30:00+07:00  # the shop's new year, UTC's 31 December
)
for moment in "${MOMENTS[@]}"; do
  echo "== the calendar tests at $moment"
  EWARUNG_TEST_NOW="$moment" .venv/bin/pytest -n 2 -q -m calendar "$@"
done

#!/usr/bin/env bash
# Refresh each package's English catalogue from the Indonesian source strings and compile it.
# Each package keeps its own catalogue (<package>/translations/en/LC_MESSAGES/messages.po) so
# domains do not edit one shared file. Translate the new, empty entries, then run this again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=.venv/bin/pybabel

sources() {  # the code and templates of one package
  case "$1" in
    ewarung) echo "ewarung templates/base.html templates/auth templates/home templates/errors templates/admin" ;;
    *) echo "$1 templates/$1" ;;
  esac
}

for pkg in ewarung inventory pos printer kube; do
  dir="$pkg/translations"
  paths=""
  for p in $(sources "$pkg"); do [ -e "$p" ] && paths="$paths $p"; done
  mkdir -p "$dir"
  # shellcheck disable=SC2086
  $PYBABEL -q extract -F babel.cfg -k N_ -o "$dir/messages.pot" --no-location --sort-output $paths
  if [ ! -f "$dir/en/LC_MESSAGES/messages.po" ]; then
    $PYBABEL -q init -i "$dir/messages.pot" -d "$dir" -l en
  else
    $PYBABEL -q update -i "$dir/messages.pot" -d "$dir" -l en --no-fuzzy-matching --ignore-obsolete
  fi
  $PYBABEL -q compile -d "$dir" -l en
  rm -f "$dir/messages.pot"
done

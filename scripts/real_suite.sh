#!/bin/sh
# Migrate a real project with async-migrate and run its own test suite before and after.
#
# usage: scripts/real_suite.sh SOURCE_DIR PYTHON [test command...]
#   SOURCE_DIR  the project (left untouched: it is copied twice, to SOURCE_DIR.before / .after)
#   PYTHON      the interpreter of a venv with the project's requirements installed
#   test command  default: manage.py test --noinput (run from the copy's root)
#
# Example (healthchecks.io at 5e274e6a, Django 5.2.8; see notes for the figures):
#   python3 -m venv /tmp/hcvenv && /tmp/hcvenv/bin/pip install -r /tmp/hc52/requirements.txt
#   scripts/real_suite.sh /tmp/hc52 /tmp/hcvenv/bin/python
set -u
source=$1
python=$2
shift 2
[ $# -gt 0 ] || set -- manage.py test --noinput
tool="$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python"
for side in before after; do
    rm -rf "$source.$side" && cp -r "$source" "$source.$side"
done
(cd "$source.after" && "$tool" -m async_migrate apply --no-cache --no-color . > ../"$(basename "$source").apply.log" 2>&1)
echo "async-migrate: $(tail -1 "$(dirname "$source")/$(basename "$source").apply.log")"
for side in before after; do
    (cd "$source.$side" && "$python" "$@" > ../"$(basename "$source").$side.log" 2>&1)
    echo "$side: $(grep -E '^(Ran|OK|FAILED)' "$(dirname "$source")/$(basename "$source").$side.log" | tr '\n' ' ')"
done

#!/bin/sh
# Fresh demo province + server on :8131, run the journey, stop the server.
set -u
cd "$(dirname "$0")/../.."
export TINHSO_VAR_DIR=/tmp/journey-var
rm -rf "$TINHSO_VAR_DIR"
.venv/bin/tinhso setup >/tmp/journey-setup.log 2>&1 || { cat /tmp/journey-setup.log; exit 1; }
PORT=8131 .venv/bin/tinhso serve --port 8131 --workers 2 >/tmp/journey-serve.log 2>&1 &
SERVER=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do curl -sf -o /dev/null http://127.0.0.1:8131/ && break; sleep 1; done
.venv/bin/python tests/browser/journey_birth_registration.py "$@"
RC=$?
kill "$SERVER"; wait "$SERVER" 2>/dev/null
exit $RC

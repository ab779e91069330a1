#!/bin/sh
# Fresh demo province + server on :8132, run the field-report journey (issue 5), stop the server.
set -u
cd "$(dirname "$0")/../.."
export TINHSO_VAR_DIR=/tmp/journey-fr-var
rm -rf "$TINHSO_VAR_DIR"
.venv/bin/tinhso setup >/tmp/journey-fr-setup.log 2>&1 || { cat /tmp/journey-fr-setup.log; exit 1; }
PORT=8132 .venv/bin/tinhso serve --port 8132 --workers 2 >/tmp/journey-fr-serve.log 2>&1 &
SERVER=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do curl -sf -o /dev/null http://127.0.0.1:8132/ && break; sleep 1; done
JOURNEY_BASE=http://127.0.0.1:8132 JOURNEY_OUT=/tmp/journey-fr .venv/bin/python tests/browser/journey_field_report.py "$@"
RC=$?
kill "$SERVER"; wait "$SERVER" 2>/dev/null
exit $RC

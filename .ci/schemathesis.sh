#!/usr/bin/env bash
# Fuzzes the live JSON API with schemathesis (from PyPI) against its own
# OpenAPI document: no server errors, and every response must match the
# schema. Runs on a fresh demo database, signed in as the demo's programme
# manager and again as a demo member.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=target/debug/timecredits
[ -x "$bin" ] || cargo build -p timecredits
if ! command -v st >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check 'schemathesis>=4,<5'
fi

work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

"$bin" demo --file "$work/demo.db" --seed-only >/dev/null
"$bin" --database-url "sqlite://$work/demo.db" serve --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
for _ in $(seq 1 100); do grep -q 'serving on' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/.*serving on \(http:[^ ]*\)\/$/\1/p' "$work/serve.out" | head -n1)
[ -n "$base" ] || { echo "FAIL: the server did not start"; cat "$work/serve.err"; exit 1; }

token_for() {
  curl -fsS -X POST -H 'content-type: application/json' \
    -d "{\"login\":\"$1\",\"secret\":\"$2\"}" "$base/api/v1/tokens" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

status=0
for who in "manager@demo.timecredits.org fen-manager-demo" "318 204 5 7315"; do
  login=${who% *}; secret=${who##* }
  token=$(token_for "$login" "$secret")
  echo "--- schemathesis as $login"
  st run "$base/api/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,response_schema_conformance,content_type_conformance \
    --max-examples 25 --seed 20261126 --workers 2 \
    --phases examples,coverage,fuzzing || status=1
done
exit $status

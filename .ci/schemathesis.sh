#!/usr/bin/env bash
# Fuzzes the live JSON API with schemathesis (from PyPI) against its own
# OpenAPI document: no server errors, and every response must match the
# schema. Runs on a fresh demo database, signed in as the demo's programme
# manager and again as a demo member.
set -euo pipefail
cd "$(dirname "$0")/.."

# Always build: a stale binary would test yesterday's API.
cargo build --quiet -p timecredits
bin=${CARGO_TARGET_DIR:-target}/debug/timecredits
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

# Every response is checked: no 5xx, a declared status, a declared content
# type, declared headers, and a body that matches its schema. A fixed seed
# and no example database keep CI reproducible; schemathesis runs inside the
# scratch directory so nothing it writes lands in the repository.
status=0
for who in "manager@demo.timecredits.org fen-manager-demo" "318 204 5 7315"; do
  login=${who% *}; secret=${who##* }
  token=$(token_for "$login" "$secret")
  echo "--- schemathesis as $login"
  (cd "$work" && st run "$base/api/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "${ST_MAX_EXAMPLES:-40}" --seed 20261126 --workers 1 \
    --generation-database none --no-color \
    --request-timeout 10) || status=1
done
if grep -q 'panicked' "$work/serve.err"; then
  echo "FAIL: the server panicked"; grep -A3 'panicked' "$work/serve.err"; status=1
fi
exit $status

#!/usr/bin/env bash
# The pages in a real browser: Debian's Chromium driven by playwright-core,
# with axe-core, against a fresh demo server (browser-tests/README.md says
# what runs). Under CI=true a missing browser is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "Chromium is missing: installing Debian's package"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
    if [ "${CI:-}" = true ]; then
      echo "FAIL: cannot install Debian's chromium, which the browser tests need" >&2
      exit 1
    fi
    echo "SKIP: no Chromium, and it cannot be installed here (CI would fail)" >&2
    exit 0
  fi
fi
[ -x /usr/bin/chromium ] || { echo "FAIL: /usr/bin/chromium is still missing" >&2; exit 1; }
command -v node >/dev/null || { echo "FAIL: node is needed for the browser tests" >&2; exit 1; }

(cd browser-tests && npm ci --no-audit --no-fund --loglevel=error)

# Always build: a stale binary would test yesterday's pages.
cargo build --quiet -p timecredits
bin=${CARGO_TARGET_DIR:-target}/debug/timecredits

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Port 0: the system picks a free one, and the server prints it.
"$bin" demo --file "$work/demo.db" --listen 127.0.0.1:0 >"$work/demo.out" 2>"$work/demo.err" &
server_pid=$!
base=
# Seeding takes a few seconds, and minutes on a busy machine.
for _ in $(seq 1 3000); do
  base=$(sed -n 's/.*serving on \(http:[^ ]*\)\/$/\1/p' "$work/demo.out" | head -n1)
  [ -n "$base" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$base" ] || { echo "FAIL: the demo server did not start"; cat "$work/demo.out" "$work/demo.err"; exit 1; }
for _ in $(seq 1 100); do curl -fsS "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$base/healthz" >/dev/null || { echo "FAIL: $base/healthz does not answer"; cat "$work/demo.err"; exit 1; }
echo "demo server at $base"

status=0
(cd browser-tests &&
  TC_BASE_URL="$base" TC_DEMO_OUT="$work/demo.out" \
    node --test --test-concurrency=1 --test-reporter=spec tests/*.test.js) || status=1
if grep -q 'panicked' "$work/demo.err"; then
  echo "FAIL: the server panicked"; grep -A3 'panicked' "$work/demo.err"; status=1
fi
echo "screenshots: browser-tests/out/screenshots/"
exit $status

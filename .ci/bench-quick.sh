#!/usr/bin/env bash
# The benchmark suite's quick mode (correctness, not speed) and the
# two-instance PostgreSQL test of issue 6. Under CI=true a missing
# PostgreSQL or hledger-web is a failure, never a silent skip.
#
# Debug builds on purpose: CI has already built the workspace in debug for
# the tests, so this adds seconds of compiling, where a release build of
# the server adds minutes; the quick mode's figures are not read anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
export TIMECREDITS_BENCH_PG_URL="${TIMECREDITS_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
ci="${CI:-false}"

missing() {
  if [ "$ci" = "true" ]; then
    echo "FAIL: $1" >&2
    exit 1
  fi
  echo "SKIP: $1 (set CI=true to make this a failure)" >&2
  exit 0
}

if ! command -v hledger-web >/dev/null 2>&1; then
  echo "hledger-web is not installed; installing Debian's package"
  sudo=""
  [ "$(id -u)" = "0" ] || sudo="sudo -n"
  $sudo apt-get install -y hledger-web >/dev/null 2>&1 \
    || { $sudo apt-get update >/dev/null 2>&1 && $sudo apt-get install -y hledger-web >/dev/null; } \
    || true
  command -v hledger-web >/dev/null 2>&1 || missing "hledger-web is required for the baseline"
fi
if ! psql "$TIMECREDITS_BENCH_PG_URL" -c 'select 1' >/dev/null 2>&1; then
  missing "PostgreSQL is required and is not reachable at $TIMECREDITS_BENCH_PG_URL"
fi

cargo build -p timecredits -p timecredits-bench
bin="${CARGO_TARGET_DIR:-target}/debug"

echo "=== timecredits-bench --quick ==="
CI="$ci" "$bin/timecredits-bench" --quick --timecredits-bin "$bin/timecredits" \
  --out "${BENCH_QUICK_OUT:-$bin/bench-quick.md}"

echo "=== two timecredits serve instances on one PostgreSQL ==="
"$bin/timecredits-bench" two-instances --timecredits-bin "$bin/timecredits" --strict-statement-order

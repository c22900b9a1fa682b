#!/usr/bin/env bash
# Installs everything (see setup.sh) and runs every test: unit tests beside the code, then the
# root + network-namespace end-to-end tests under test/e2e. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
shopt -s globstar nullglob
files=(dist/src/**/*.test.js dist/test/**/*.test.js)
if [ "${#files[@]}" -eq 0 ]; then echo "no test files found" >&2; exit 1; fi
# One runner invocation, so its closing summary covers the whole suite.
exec node --test --test-concurrency=1 --test-timeout=600000 "${files[@]}"

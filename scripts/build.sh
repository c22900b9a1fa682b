#!/usr/bin/env bash
# Builds dist/ from scratch: tsc writes into a fresh directory that then replaces dist/, so the
# output of a moved or deleted source never lingers there (where a stale .test.js would still run),
# and a failed build leaves dist/ as it was. tsc recompiles everything either way (no incremental
# build), so this costs only the ~10 ms of removing the old tree.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist.new
if ! npx tsc -p tsconfig.json --outDir dist.new; then rm -rf dist.new; exit 1; fi
rm -rf dist
mv dist.new dist

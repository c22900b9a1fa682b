#!/usr/bin/env bash
# Installs everything (see setup.sh) and runs every test: unit tests beside the code, then the
# root + network-namespace end-to-end tests under test/e2e. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
shopt -s globstar nullglob
files=(dist/src/**/*.test.js dist/test/**/*.test.js)
if [ "${#files[@]}" -eq 0 ]; then echo "no test files found" >&2; exit 1; fi
# iproute2 creates /run/netns (a self bind mount) on the first `ip netns add`: if the tests made
# it, take it away again once it is empty.
had_netns_dir=$([ -d /run/netns ] && echo yes || echo no)
release_netns_dir() {
  if [ "$had_netns_dir" = no ] && [ -d /run/netns ] && [ -z "$(ls -A /run/netns)" ]; then
    while grep -q ' /run/netns ' /proc/self/mountinfo; do umount /run/netns || break; done
    rmdir /run/netns || true
  fi
}
trap release_netns_dir EXIT
# One runner invocation, so its closing summary covers the whole suite.
node --test --test-concurrency=1 --test-timeout=600000 "${files[@]}"

#!/usr/bin/env bash
# Installs everything (see setup.sh) and brings up the demo lab: the seeds' example cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
./bin/podnet lab down --name seed >/dev/null 2>&1 || true
exec ./bin/podnet lab up --name seed --example seed

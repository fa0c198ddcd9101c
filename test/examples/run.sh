#!/usr/bin/env bash
# Imports and runs every example workflow of test/examples in real n8n 2.x against the emulator;
# see test/examples/run.js.   bash test/examples/run.sh   (npm run test:examples)
set -euo pipefail
cd "$(dirname "$0")/../.."
source test/scripts/node24.sh
use_node24
ensure_dev_dependencies
exec node test/examples/run.js "$@"

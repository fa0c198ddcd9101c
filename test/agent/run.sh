#!/usr/bin/env bash
# The Qwen OCR node as an AI Agent tool in real n8n 2.x; see test/agent/run.js.
#   bash test/agent/run.sh        (npm run test:agent)
set -euo pipefail
cd "$(dirname "$0")/../.."
source test/scripts/node24.sh
use_node24
ensure_dev_dependencies
exec node test/agent/run.js "$@"

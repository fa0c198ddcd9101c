#!/usr/bin/env bash
# npm run dev: a local n8n 2.x at http://localhost:5678 with this package from the working tree,
# the DashScope emulator, credentials, example workflows and an owner account; see test/dev/dev.js.
#   npm run dev [-- --reset | --reimport | --restart-on-change | --smoke]
set -euo pipefail
cd "$(dirname "$0")/../.."
source test/scripts/node24.sh
use_node24
ensure_dev_dependencies
exec node test/dev/dev.js "$@"

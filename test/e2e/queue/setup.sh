# Sourced by test/e2e/queue.sh: n8n 2.x in queue mode on this machine. A main process, two
# `n8n worker` processes, Postgres and Redis (Debian's packages, installed with apt when missing),
# all on 127.0.0.1 on free ports with their data in $WORK, and the DashScope emulator(s).
# Every process started here is stopped by q_cleanup (the caller's EXIT trap).
#
# The caller sets ROOT (repository root), WORK (a temp dir), N8N_DIR (the n8n install) and
# TARBALL (the packed package), and puts Node 24 first on PATH.

Q_PIDS=()
PG_BIN=
PG_DATA=

q_log() { printf '\033[1m[queue %s]\033[0m %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
q_die() {
	q_log "ERROR: $*"
	exit 1
}

# q_wait <seconds> <what> <command...>: polls the command every 0.25 s until it succeeds.
q_wait() {
	local seconds=$1 what=$2
	shift 2
	local deadline=$((SECONDS + seconds))
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$deadline" ] || q_die "timed out after ${seconds}s waiting for $what"
		sleep 0.25
	done
}

q_free_port() {
	node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

q_cleanup() {
	local pid
	# Processes the checks started (a restarted worker).
	if [ -f "$WORK/pids" ]; then Q_PIDS+=($(cat "$WORK/pids")); fi
	# Newest first: workers and main before Redis and Postgres.
	for ((i = ${#Q_PIDS[@]} - 1; i >= 0; i--)); do
		pid=${Q_PIDS[$i]}
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${Q_PIDS[@]}"; do
		for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
		kill -9 "$pid" 2>/dev/null || true
	done
	if [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
		q_as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null 2>&1 || true
	fi
}

# ---- Debian packages ----------------------------------------------------------------------------
q_ensure_packages() {
	local missing=()
	compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
	command -v redis-server >/dev/null || missing+=(redis-server)
	[ ${#missing[@]} -eq 0 ] && return
	q_log "installing ${missing[*]} (apt-get)"
	local sudo=
	if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
	$sudo apt-get update -qq
	# policy-rc.d: the packages' own services are not started (we run our own instances).
	DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Postgres refuses to run as root: as root, its commands run as the `postgres` user.
q_as_postgres() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# ---- Postgres and Redis -------------------------------------------------------------------------
q_start_postgres() {
	PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
	PG_DATA=$WORK/pg
	PG_PORT=$(q_free_port)
	mkdir -p "$PG_DATA"
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$PG_DATA"
		chmod o+x "$WORK"
	fi
	q_as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --no-instructions >"$WORK/pg-initdb.log" 2>&1 ||
		{ tail -20 "$WORK/pg-initdb.log" >&2; q_die "initdb failed"; }
	q_as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 120 \
		-o "-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null ||
		{ tail -20 "$PG_DATA/server.log" >&2; q_die "Postgres did not start"; }
	q_psql -c 'CREATE DATABASE n8n' >/dev/null
	q_log "Postgres $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
}

q_psql() { q_as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

q_start_redis() {
	REDIS_PORT=$(q_free_port)
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
	Q_PIDS+=($!)
	q_wait 60 "Redis" redis-cli -p "$REDIS_PORT" ping
	q_log "Redis $(redis-server --version | grep -o 'v=[0-9.]*') on 127.0.0.1:$REDIS_PORT"
}

# ---- the emulator -------------------------------------------------------------------------------
# q_emulator <name> [cli args...]: an emulator process logging every request (with the SHA-256 of
# each image) to $WORK/<name>.jsonl, and each generation request as soon as its body has been read
# to $WORK/<name>.arrivals.jsonl; sets EMULATOR_URL.
q_emulator() {
	local name=$1
	shift
	: >"$WORK/$name.jsonl"
	node "$ROOT/test/emulator/cli.js" --port 0 --api-key "$API_KEY" --log "$WORK/$name.jsonl" --arrivals "$WORK/$name.arrivals.jsonl" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	Q_PIDS+=($!)
	q_wait 60 "the $name emulator" test -s "$WORK/$name.out"
	EMULATOR_URL=$(node -p "JSON.parse(require('fs').readFileSync('$WORK/$name.out','utf8').split('\n')[0]).baseUrl")
}

# ---- n8n ----------------------------------------------------------------------------------------
q_n8n_env() {
	export N8N_USER_FOLDER=$WORK/n8n
	export N8N_ENCRYPTION_KEY=qwen-ocr-queue-e2e-encryption-key
	export EXECUTIONS_MODE=queue
	export DB_TYPE=postgresdb DB_POSTGRESDB_HOST=127.0.0.1 DB_POSTGRESDB_PORT=$PG_PORT DB_POSTGRESDB_DATABASE=n8n
	export DB_POSTGRESDB_USER=postgres DB_POSTGRESDB_PASSWORD=postgres
	# On a loaded machine a slow ping made main answer a webhook with
	# "503 Database is not ready!": give Postgres longer before n8n declares it down.
	export DB_PING_TIMEOUT_MS=30000
	export QUEUE_BULL_REDIS_HOST=127.0.0.1 QUEUE_BULL_REDIS_PORT=$REDIS_PORT
	# n8n 2.x has no in-memory binary mode and queue mode does not support filesystem.
	export N8N_DEFAULT_BINARY_DATA_MODE=database
	# A killed worker's job is declared stalled once its lock (n8n's default: 60 s, renewed every
	# 10 s) has expired, checked every 10 s here (default 30 s). A 10 s lock was too short on a loaded
	# machine: a busy worker (a 9 MB upload) missed its renewals and a live execution was failed.
	export QUEUE_WORKER_STALLED_INTERVAL=10000
	export QUEUE_HEALTH_CHECK_ACTIVE=true
	export N8N_DIAGNOSTICS_ENABLED=false N8N_VERSION_NOTIFICATIONS_ENABLED=false N8N_PERSONALIZATION_ENABLED=false
	export N8N_TEMPLATES_ENABLED=false N8N_HIRING_BANNER_ENABLED=false N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS=true
	export N8N_SECURE_COOKIE=false N8N_LOG_LEVEL=info N8N_LOG_OUTPUT=console
	export N8N_RUNNERS_ENABLED=true
	export N8N_LISTEN_ADDRESS=127.0.0.1
	mkdir -p "$N8N_USER_FOLDER/.n8n/nodes"
}

# In the foreground only: started in the background, $! must be n8n itself (not a subshell).
q_n8n() { "$N8N_DIR/node_modules/.bin/n8n" "$@"; }

# The packed package as n8n installs a community package: <user folder>/.n8n/nodes.
q_install_package() {
	local nodes=$N8N_USER_FOLDER/.n8n/nodes
	rm -rf "$nodes/node_modules"
	cp "$TARBALL" "$nodes/"
	echo '{ "name": "installed-nodes", "private": true, "dependencies": {} }' >"$nodes/package.json"
	(cd "$nodes" && npm install --legacy-peer-deps --ignore-scripts --no-audit --no-fund --package-lock=false --loglevel=error "./$(basename "$TARBALL")" >/dev/null)
	[ -f "$nodes/node_modules/n8n-nodes-qwen-ocr/package.json" ] || q_die "community package not installed"
}

# q_import <path=credential-id:base-url>...: one credential and one published webhook workflow
# (Webhook → Qwen OCR → Respond to Webhook) per argument; the webhook answers at /webhook/<path>.
q_import() {
	local spec path cred url creds=() n=0
	mkdir -p "$WORK/import"
	for spec in "$@"; do
		path=${spec%%=*}
		cred=${spec#*=}
		url=${cred#*:}
		cred=${cred%%:*}
		n=$((n + 1))
		creds+=("{ \"id\": \"$cred\", \"name\": \"$cred\", \"type\": \"qwenOcrApi\", \"data\": { \"region\": \"custom\", \"baseUrl\": \"$url\", \"apiKey\": \"$API_KEY\" } }")
		sed -e "s#__WORKFLOW_ID__#qwenOcrQueue$n#" -e "s#__PATH__#$path#g" -e "s#__CREDENTIAL_ID__#$cred#g" \
			-e "s#__WEBHOOK_ID__#5f0c0017-0000-4000-8000-$(printf '%012d' "$n")#" \
			"$ROOT/test/e2e/queue/webhook-ocr.json" >"$WORK/import/workflow-$n.json"
	done
	(IFS=,; echo "[${creds[*]}]") >"$WORK/credentials.json"
	q_n8n import:credentials --input="$WORK/credentials.json" >"$WORK/import-credentials.log" 2>&1 ||
		{ tail -20 "$WORK/import-credentials.log" >&2; q_die "import:credentials failed"; }
	rm -f "$WORK/credentials.json"
	q_n8n import:workflow --separate --input="$WORK/import" >"$WORK/import-workflows.log" 2>&1 ||
		{ tail -20 "$WORK/import-workflows.log" >&2; q_die "import:workflow failed"; }
	# One CLI process per workflow (n8n 2.x has no --all any more), side by side.
	local pids=()
	for ((i = 1; i <= n; i++)); do
		q_n8n publish:workflow --id="qwenOcrQueue$i" >"$WORK/publish-$i.log" 2>&1 &
		pids+=($!)
	done
	for ((i = 1; i <= n; i++)); do
		wait "${pids[$((i - 1))]}" || { tail -20 "$WORK/publish-$i.log" >&2; q_die "publish:workflow failed"; }
	done
}

q_ready() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "http://127.0.0.1:$1/healthz/readiness"; }

q_start_main() {
	N8N_PORT=$(q_free_port)
	N8N_PORT=$N8N_PORT N8N_RUNNERS_BROKER_PORT=$(q_free_port) "$N8N_DIR/node_modules/.bin/n8n" start >"$WORK/main.log" 2>&1 &
	MAIN_PID=$!
	Q_PIDS+=($MAIN_PID)
	WEBHOOK_BASE=http://127.0.0.1:$N8N_PORT/webhook
}
q_wait_main() { q_wait 1500 "n8n main (log: $WORK/main.log)" q_ready "$N8N_PORT"; }

# q_start_worker <n> [concurrency]: starts worker n (WORKER_PIDS[n], WORKER_PORTS[n]: its health
# check port); its log is $WORK/worker-<n>.log. q_wait_worker <n> waits until it is ready.
WORKER_PIDS=()
WORKER_PORTS=()
q_start_worker() {
	local n=$1 concurrency=${2:-10}
	WORKER_PORTS[$n]=$(q_free_port)
	QUEUE_HEALTH_CHECK_PORT=${WORKER_PORTS[$n]} N8N_RUNNERS_BROKER_PORT=$(q_free_port) \
		"$N8N_DIR/node_modules/.bin/n8n" worker --concurrency="$concurrency" >>"$WORK/worker-$n.log" 2>&1 &
	WORKER_PIDS[$n]=$!
	Q_PIDS+=($!)
}
q_wait_worker() { q_wait 1500 "worker $1 (log: $WORK/worker-$1.log)" q_ready "${WORKER_PORTS[$1]}"; }

# q_up <worker concurrency> <path=credential-id:base-url>...: Postgres, Redis, n8n main and two
# workers, the package installed, credentials and workflows imported and published.
q_up() {
	local concurrency=$1
	shift
	q_ensure_packages
	q_start_postgres
	q_start_redis
	q_n8n_env
	q_install_package
	q_import "$@"
	# The database is migrated (by the imports): the three processes start side by side.
	q_start_main
	q_start_worker 1 "$concurrency"
	q_start_worker 2 "$concurrency"
	q_wait_main
	q_wait_worker 1
	q_wait_worker 2
}

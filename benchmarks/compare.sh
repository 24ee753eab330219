#!/usr/bin/env bash
# benchmarks/compare.sh: Resolver side by side with the bare gRPC baseline, Redis, PostgreSQL and a DNS server (Knot), and with
# --cnri CNRI's Handle.Net 9 server, in one run on one machine, on one dataset (benchmarks/Resolver.Dataset). Each case
# alternates the systems it compares (A B A B ...) and reports medians, because a small machine drifts. Writes
# benchmarks/results/<date>.md (or --out FILE).
#
# Everything it starts (PostgreSQL, redis-server, knotd, four servers, with --cnri CNRI's Handle.Net server) listens on 127.0.0.1
# only, runs for a bounded time and is stopped on exit, also on Ctrl+C. Needs root or the postgres user for PostgreSQL's initdb; see --help for the packages.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

count=1000000 prefixes=1000 seconds=10 rounds=3 out="" build=1 smoke=0 only="" large="" cnri=""
resolver_args=() pg_settings=()
usage() {
  cat <<'EOF'
usage: benchmarks/compare.sh [--count N] [--prefixes M] [--seconds S] [--rounds R] [--out FILE] [--no-build] [--smoke]
                             [--only TEXT] [--large N] [--cnri DIR] [--resolver-arg ARG]... [--pg-setting NAME=VALUE]...
  --count N      identifiers in the dataset (default 1000000)
  --prefixes M   enterprise prefixes they are spread over (default 1000)
  --seconds S    seconds each system is measured per round (default 10)
  --rounds R     rounds per case; each round measures every system of the case once (default 3)
  --out FILE     where the report goes (default benchmarks/results/YYYY-MM-DD.md)
  --no-build     use the Release binaries already built
  --smoke        seconds-long run on a tiny dataset (CI): proves every entry point runs and reports
  --only TEXT    run only the cases whose title contains TEXT (e.g. "unary, PostgreSQL"), preparing only the systems
                 they use; the others' ratios say "not measured"
  --large N      also load N identifiers into a second PostgreSQL database and measure the PostgreSQL cases against a
                 store-only node serving them, alternating with the one serving --count: the scale target, e.g.
                 --count 100000 --large 10000000 --only PostgreSQL
  --cnri DIR     also measure CNRI's Handle.Net 9 server from the distribution at DIR (e.g. /opt/cnri/hsj), loaded with
                 the same dataset (benchmarks/cnri/start-cnri.sh, Java): the Handle cases over UDP and TCP, and its REST
                 API beside Resolver's; without it those systems and the REST case are left out
  --resolver-arg ARG
                 one more server flag for every Resolver it starts (repeat it; e.g. --resolver-arg --store-max-queries
                 --resolver-arg 8), to measure a setting
  --pg-setting NAME=VALUE
                 one more PostgreSQL setting (repeat it; e.g. --pg-setting shared_buffers=12GB), to measure one; the
                 defaults are fsync=off, max_connections=300, shared_buffers=1GB
needs: h2load (nghttp2-client), knotd + knotc (knot), dnsperf, redis-server + redis-cli + redis-benchmark, PostgreSQL (initdb,
       pg_ctl, pgbench), python3, curl, the .NET 10 SDK; with --only, Knot and dnsperf only for the hot unary and Handle UDP
       cases and Redis only for the hot batch and Redis-tier cases; with --cnri, Java (openjdk-17-jdk-headless)
EOF
}

while [ $# -gt 0 ]; do
  case $1 in
    --count) count=$2; shift 2 ;;
    --prefixes) prefixes=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --smoke) count=2000 prefixes=20 seconds=1 rounds=1 smoke=1; shift ;;
    --only) only=$2; shift 2 ;;
    --large) large=$2; shift 2 ;;
    --cnri) cnri=$2; shift 2 ;;
    --resolver-arg) resolver_args+=("$2"); shift 2 ;;
    --pg-setting) pg_settings+=("$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
for number in "$count" "$prefixes" "$seconds" "$rounds" ${large:+"$large"}; do
  [[ $number =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: '$number' is not a positive whole number" >&2; exit 2; }
done
[ "$count" -ge 100 ] || { echo "compare.sh: --count must be at least 100 (the hot set)" >&2; exit 2; }
[ -z "$large" ] || [ "$large" -gt "$count" ] || { echo "compare.sh: --large ($large) must be more than --count ($count)" >&2; exit 2; }
if [ -n "$cnri" ]; then
  [ -x "$cnri/bin/hdl-server" ] || { echo "compare.sh: --cnri $cnri is not a Handle.Net distribution (no bin/hdl-server; see benchmarks/cnri/README.md)" >&2; exit 2; }
  cnri=$(cd "$cnri" && pwd)
fi
for setting in ${pg_settings[@]+"${pg_settings[@]}"}; do
  # pg_ctl hands its -o to a shell: a name and a value without spaces or quotes, as postgresql.conf would take them.
  [[ $setting =~ ^[A-Za-z_.]+=[^[:space:]\'\"]+$ ]] || { echo "compare.sh: --pg-setting '$setting' is not NAME=VALUE (no spaces or quotes)" >&2; exit 2; }
done
# What the report says it measured: the commit, and whether the tree differed from it (results excepted) when the run began.
if tree=$(git -C "$repo" status --porcelain -- . ':(exclude)benchmarks/results' 2>/dev/null); then
  commit="commit $(git -C "$repo" rev-parse --short HEAD)${tree:+ with uncommitted changes}"
else
  commit="commit unknown (not a git checkout)"
fi

log() { echo "compare: $*" >&2; }
die() { echo "compare.sh: $*" >&2; exit 1; }

# The cases, and the systems each uses beside PostgreSQL (every Resolver's store): --only prepares nothing the cases it
# selects do not use, because at ten million identifiers the baseline's dictionary, Redis and Knot would not fit here.
U="unary, hot (L1)" B="batch of 100, hot (L1)" S="stream of 100, hot (L1)"
RB="batch of 100, Redis tier (L1 off), random over the dataset" RU="unary, Redis tier (L1 off), random over the dataset"
PB="batch of 100, PostgreSQL (caches off), random over the dataset" PU="unary, PostgreSQL (caches off), random over the dataset"
# The Handle protocol (RFC 3652) on the same nodes and names: peak rates from resolver-handleperf, a load generator that sends
# pre-encoded requests as dnsperf does; CNRI's Handle.Net server beside them with --cnri, and the REST case only then.
HU="Handle UDP, hot (L1)" HT="Handle TCP persistent, hot (L1)" HR="Handle REST API GET, hot (L1)"
HRT="Handle UDP and TCP, Redis tier (L1 off), random over the dataset" HPT="Handle UDP and TCP, PostgreSQL (caches off), random over the dataset"
declare -A uses=([$U]="resolver-l1 baseline knot" [$B]="resolver-l1 baseline redis" [$S]="resolver-l1 baseline"
                 [$RB]="resolver-redis redis" [$RU]="resolver-redis redis"
                 [$PB]="resolver-store ${large:+resolver-store-large}" [$PU]="resolver-store ${large:+resolver-store-large}"
                 [$HU]="resolver-l1 knot ${cnri:+cnri}" [$HT]="resolver-l1 ${cnri:+cnri}"
                 [$HRT]="resolver-redis redis" [$HPT]="resolver-store")
[ -z "$cnri" ] || uses[$HR]="resolver-l1 cnri"
selected() { [ -z "$only" ] || [[ $1 == *"$only"* ]]; }
needs() { # needs <system>: whether a selected case uses it
  local case
  for case in "${!uses[@]}"; do selected "$case" && [[ " ${uses[$case]} " == *" $1 "* ]] && return 0; done
  return 1
}
for case in "${!uses[@]}"; do selected "$case" && break; case=""; done
[ -n "$case" ] || die "--only '$only' matches no case; the cases are: $(printf '"%s" ' "${!uses[@]}")"
[ -z "$large" ] || needs resolver-store || die "--large needs a PostgreSQL case: add --only PostgreSQL, or leave --only out"

pgbin=$(find /usr/lib/postgresql -maxdepth 3 -name initdb -path '*/bin/*' 2>/dev/null | sort -V | tail -1 | xargs -r dirname)
missing=()
tools=(h2load:nghttp2-client python3:python3 curl:curl dotnet:dotnet-sdk-10.0)
! needs knot || tools+=(knotd:knot knotc:knot dnsperf:dnsperf)
! needs redis || tools+=(redis-server:redis-server redis-cli:redis-tools redis-benchmark:redis-tools)
! needs cnri || tools+=(java:openjdk-17-jdk-headless)
for tool in "${tools[@]}"; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
[ -n "$pgbin" ] && [ -x "$pgbin/pgbench" ] || missing+=(postgresql postgresql-contrib)
if [ ${#missing[@]} -gt 0 ]; then
  echo "compare.sh: missing tools; install them with: apt-get install -y $(printf '%s\n' "${missing[@]}" | sort -u | xargs)" >&2
  exit 2
fi

if [ "$build" -eq 1 ]; then
  log "building (Release)"
  for project in src/Resolver.Server src/Resolver.Cli benchmarks/Resolver.Dataset benchmarks/Resolver.Baseline benchmarks/Resolver.HandlePerf; do
    dotnet build "$project" -c Release -nologo -v quiet >/dev/null || die "dotnet build $project failed"
  done
fi
server=$repo/src/Resolver.Server/bin/Release/net10.0/Resolver.Server
cli=$repo/src/Resolver.Cli/bin/Release/net10.0/resolver
dataset=$repo/benchmarks/Resolver.Dataset/bin/Release/net10.0/resolver-dataset
baseline=$repo/benchmarks/Resolver.Baseline/bin/Release/net10.0/resolver-baseline
handleperf=$repo/benchmarks/Resolver.HandlePerf/bin/Release/net10.0/resolver-handleperf
for binary in "$server" "$cli" "$dataset" "$baseline" "$handleperf"; do
  [ -x "$binary" ] || die "$binary is missing: run without --no-build"
done

work=$(mktemp -d /tmp/resolver-compare.XXXXXX)
chmod 755 "$work"
pids=()
pgdata=$work/pg/data
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  local status=$? pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$pgdata/postmaster.pid" ] && as_postgres "$pgbin/pg_ctl" -D "$pgdata" -m immediate -w stop >/dev/null 2>&1 || true
  [ -f "$work/cnri/run.pid" ] && "$repo/benchmarks/cnri/stop-cnri.sh" "$work/cnri" >/dev/null 2>&1 || true
  # A server still draining after 15 s is killed: the run must end.
  local deadline=$((SECONDS + 15))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "$status" -eq 0 ]; then rm -rf "$work"; else echo "compare.sh: logs kept in $work" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Waits up to $2 seconds for the command in $3... to succeed; $1 names what is awaited.
await() {
  local what=$1 limit=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "$what did not come up within $limit s"
    [ -z "${await_pid:-}" ] || kill -0 "$await_pid" 2>/dev/null || die "$what exited before it came up"
    sleep 0.5
  done
}
shape=(--count "$count" --prefixes "$prefixes")
hot=100

# 1. The dataset, in every peer's format.
log "dataset: $count identifiers across $prefixes prefixes"
"$dataset" "${shape[@]}" export keys -o "$work/keys.txt"
"$dataset" "${shape[@]}" export hot --hot "$hot" -o "$work/hot.txt"
for mode in unary batch stream; do "$dataset" "${shape[@]}" export "grpc-$mode" --hot "$hot" -o "$work/$mode.bin"; done
needs knot && "$dataset" "${shape[@]}" export dns-hot --hot "$hot" -o "$work/dns-hot.txt"
"$dataset" "${shape[@]}" export pgbench-one -o "$work/pg-one.sql"
"$dataset" "${shape[@]}" export pgbench-any --hot "$hot" -o "$work/pg-any.sql"

# 2. PostgreSQL: the Resolver store, and pgbench's table (the same one).
log "PostgreSQL: initdb and bulk load"
mkdir -p "$work/pg"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$work/pg"
as_postgres "$pgbin/initdb" -D "$pgdata" -U postgres -A trust -E UTF8 --no-sync >/dev/null
pgport=$(free_port)
as_postgres "$pgbin/pg_ctl" -D "$pgdata" -l "$work/pg/log" -w -t 60 start \
  -o "-p $pgport -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 -c shared_buffers=1GB${pg_settings[*]/#/ -c }" >/dev/null ||
  die "PostgreSQL did not start: $(tail -3 "$work/pg/log")"
pgconn="Host=127.0.0.1;Port=$pgport;Username=postgres;Database=postgres"
"$dataset" "${shape[@]}" load --postgres "$pgconn" 2>"$work/load.log" || die "loading PostgreSQL failed: $(tail -3 "$work/load.log")"
if [ -n "$large" ]; then
  # The same identifiers' formula at --large: its first --count identifiers are the small dataset's.
  log "PostgreSQL: bulk load of $large identifiers into the database 'large'"
  as_postgres "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U postgres large
  pglarge="Host=127.0.0.1;Port=$pgport;Username=postgres;Database=large"
  large_shape=(--count "$large" --prefixes "$prefixes")
  "$dataset" "${large_shape[@]}" load --postgres "$pglarge" 2>"$work/load-large.log" || die "loading PostgreSQL failed: $(tail -3 "$work/load-large.log")"
  "$dataset" "${large_shape[@]}" export keys -o "$work/keys-large.txt"
  "$dataset" "${large_shape[@]}" export pgbench-one -o "$work/pg-one-large.sql"
  "$dataset" "${large_shape[@]}" export pgbench-any --hot "$hot" -o "$work/pg-any-large.sql"
fi

# 3. Redis: the peers' keys (r:NNNNNNNNNNNN, the encoded answer) and, in the same server, Resolver's Redis tier.
if needs redis; then
  log "Redis: mass insert"
  redisport=$(free_port)
  redis-server --port "$redisport" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
  pids+=($!)
  await "redis-server" 20 redis-cli -p "$redisport" ping
  "$dataset" "${shape[@]}" export redis | redis-cli -p "$redisport" --pipe >"$work/redis-load.log" 2>&1 || die "loading Redis failed: $(tail -3 "$work/redis-load.log")"
fi

# 4. Knot DNS serving every identifier as a TXT record.
if needs knot; then
  log "Knot DNS: loading the zone"
  mkdir -p "$work/knot"
  "$dataset" "${shape[@]}" export zone -o "$work/knot/zone"
  dnsport=$(free_port)
  cat >"$work/knot/knot.conf" <<EOF
server:
    listen: 127.0.0.1@$dnsport
    rundir: $work/knot
database:
    storage: $work/knot
zone:
  - domain: id.resolver.test
    file: $work/knot/zone
    zonefile-sync: -1
    journal-content: none
    semantic-checks: off
EOF
  knotd -c "$work/knot/knot.conf" >"$work/knot.log" 2>&1 &
  pids+=($!)
  zone_loaded() { knotc -c "$work/knot/knot.conf" zone-status id.resolver.test 2>/dev/null | grep -q 'serial: 1'; }
  await "knotd (zone load)" 600 zone_loaded
fi

# 4b. With --cnri, CNRI's Handle.Net 9 server loaded with the same records (offline, into its own database; start-cnri.sh), on
# free loopback ports, without its per-request access log (Resolver keeps none either). It stops by itself after an hour
# whatever happens, and on exit (cleanup).
if needs cnri; then
  log "CNRI Handle.Net: loading the dataset and starting"
  cnri_port=$(free_port) cnri_http=$(free_port)
  CNRI_PORT=$cnri_port CNRI_HTTP_PORT=$cnri_http "$repo/benchmarks/cnri/start-cnri.sh" "$cnri" --dataset "$count:$prefixes" --no-access-log \
    --server-dir "$work/cnri" --lifetime 3600 >"$work/cnri-start.log" 2>&1 || die "CNRI's server did not start: $(tail -5 "$work/cnri-start.log")"
fi

# 5. The servers: Resolver three ways (all caches; Redis tier with L1 off; store only), and the baseline.
declare -A grpc http handle pid
admin_token=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))') # replicas of one store share their administrator
start_resolver() {
  local name=$1; shift
  grpc[$name]=$(free_port) http[$name]=$(free_port) handle[$name]=$(free_port)
  needs "$name" || return 0
  log "starting $name"
  # --l1-max-entries 1 turns L1 off: each entry is then charged the whole budget, more than the eighth one entry may take.
  "$server" --store "postgres:${store:-$pgconn}" --admin-token "$admin_token" --data-dir "$work/$name" --rate-limit off \
    --grpc-url "http://127.0.0.1:${grpc[$name]}" --http-url "http://127.0.0.1:${http[$name]}" --handle-url "hdl://127.0.0.1:${handle[$name]}" "$@" "${resolver_args[@]}" >"$work/$name.log" 2>&1 &
  pid[$name]=$!
  pids+=($!)
}
start_resolver resolver-l1
start_resolver resolver-redis --redis "127.0.0.1:${redisport:-}" --l1-max-entries 1 --cache-ttl-cap 86400
start_resolver resolver-store --l1-max-entries 1
[ -z "$large" ] || store=$pglarge start_resolver resolver-store-large --l1-max-entries 1
if needs baseline; then
  log "starting baseline"
  grpc[baseline]=$(free_port)
  "$baseline" --grpc-url "http://127.0.0.1:${grpc[baseline]}" "${shape[@]}" >"$work/baseline.log" 2>&1 &
  pid[baseline]=$!
  pids+=($!)
fi
servers=("${!pid[@]}")
first=$(head -1 "$work/hot.txt")
# The baseline builds every answer before it listens (about 30 s for a million alone, longer beside the three nodes starting).
for name in "${servers[@]}"; do
  await_pid=${pid[$name]} await "$name" 180 "$cli" --server "http://127.0.0.1:${grpc[$name]}" resolve "$first"
done
if needs resolver-redis; then
  log "warming Resolver's Redis tier with all $count identifiers"
  "$dataset" "${shape[@]}" warm --server "http://127.0.0.1:${grpc[resolver-redis]}" 2>"$work/warm.log" || die "warming failed: $(tail -2 "$work/warm.log")"
fi

# 6. Measuring. Every run prints one line: "<rate> <server cores> <load generator cores> <OK share>"; the rate is IDs (or
# queries, or rows) per second. Server cores are the whole machine's busy time less the load generator's, over the run.
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
ticks_per_second=$(getconf CLK_TCK)
metric() { # sum of the Prometheus samples of $2 matching the regex $3 at Resolver $1
  curl -sf "http://127.0.0.1:${http[$1]}/metrics" | awk -v name="$2" -v match_="$3" '$1 ~ "^"name"\\{" && $1 ~ match_ { sum += $2 } END { printf "%d\n", sum }'
}
# The load generator's CPU: this shell's finished children (cutime + cstime in /proc/PID/stat), read without starting a process.
measure() { # measure <resolver name, or - for a peer> <command>...; the command prints "<rate> [OK share]"
  local resolver=$1; shift
  local found_before=0 all_before=0
  if [ "$resolver" != - ]; then
    found_before=$(metric "$resolver" resolver_resolutions_total 'result="found"')
    all_before=$(metric "$resolver" resolver_resolutions_total '.')
  fi
  local -a stat
  read -r -a stat <"/proc/$BASHPID/stat"
  local started_children=$((stat[15] + stat[16])) started_busy started_at output
  started_busy=$(busy_ticks) started_at=$(date +%s.%N)
  output=$("$@") || die "a run failed: $* ($output)"
  local ended_busy ended_at
  ended_busy=$(busy_ticks) ended_at=$(date +%s.%N)
  read -r -a stat <"/proc/$BASHPID/stat"
  local loadgen_ticks=$((stat[15] + stat[16] - started_children))
  local rate=${output%% *} ok=""
  [[ $rate =~ ^[0-9]+$ ]] && [ "$rate" -gt 0 ] || die "a run measured nothing: $* (its tool failed or never answered)"
  [ "$rate" != "$output" ] && ok=${output#* }
  if [ "$resolver" != - ]; then
    local found all
    found=$(( $(metric "$resolver" resolver_resolutions_total 'result="found"') - found_before ))
    all=$(( $(metric "$resolver" resolver_resolutions_total '.') - all_before ))
    ok=$(awk -v f="$found" -v a="$all" 'BEGIN { printf "%.4f", (a > 0 ? f / a : 0) }')
  fi
  awk -v rate="$rate" -v ok="${ok:-1}" -v busy=$((ended_busy - started_busy)) -v gen="$loadgen_ticks" -v hz="$ticks_per_second" \
      -v a="$started_at" -v b="$ended_at" \
      'BEGIN { wall = b - a; loadgen = gen / hz / wall; total = busy / hz / wall;
               printf "%.0f %.2f %.2f %s\n", rate, (total > loadgen ? total - loadgen : 0), loadgen, ok }'
}

# The load generators, each printing "<IDs per second> [OK share]".
h2() { # h2 <name> <method> <body> <IDs per call> [calls in flight per connection, 32 by default; 8 connections]
  local report
  report=$(h2load -D "$seconds" --warm-up-time 1 -c 8 -m "${5:-32}" -t 1 -d "$work/$3" -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:${grpc[$1]}/resolver.v1.Resolution/$2" 2>&1)
  # "requests: N total, N started, N done, N succeeded, ...": succeeded is HTTP 2xx among the calls done while measuring.
  awk -v per="$4" '/^finished in/ { gsub(",", "", $4); rate = $4 } /^requests:/ { done_ = $6; ok = $8 }
    END { printf "%.0f %s\n", rate * per, (done_ > 0 ? sprintf("%.4f", ok / done_) : "0") }' <<<"$report"
}
bench() { # bench <name> <mode> <keys file> <concurrency> [more resolver bench options]
  local name=$1 mode=$2 keys=$3 callers=$4; shift 4
  "$cli" --server "http://127.0.0.1:${grpc[$name]}" --output json bench --mode "$mode" --batch-size "$hot" --keys "$work/$keys" \
    -c "$callers" --duration "$seconds" --warmup 1 "$@" 2>/dev/null |
    python3 -c 'import json, sys; r = json.load(sys.stdin); print(round(r["idsPerSecond"]), 1 if not r["errors"] else 0)'
}
latency() { # one caller, unary, hot keys: "<p50 µs> <p99 µs>"
  "$cli" --server "http://127.0.0.1:${grpc[resolver-l1]}" --output json bench --mode unary --keys "$work/hot.txt" -c 1 \
    --duration "$seconds" --warmup 1 2>/dev/null |
    python3 -c 'import json, sys; r = json.load(sys.stdin); print(round(r["latencyMs"]["p50"] * 1000), round(r["latencyMs"]["p99"] * 1000))'
}
h2_latency() { # h2_latency <server>: one caller, one call at a time from a C client (h2load), hot key: "<mean µs>"
  h2load -D "$seconds" --warm-up-time 1 -c 1 -m 1 -t 1 -d "$work/unary.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:${grpc[$1]}/resolver.v1.Resolution/Resolve" 2>&1 |
    awk 'function us(v) { if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000; return v * 1000000 }
      /^time for request:/ { printf "%.0f\n", us($6); found = 1 } END { exit !found }' ||
    die "h2load -c 1 -m 1 against $1 reported no request time"
}
redis_calls=()
redis_bench() { # redis_bench <keys per call> <key range>: GET (1) or MGET of N random keys r:__rand_int__ in [0, range)
  local per=$1 range=$2 command=(GET r:__rand_int__) n
  [ "$per" -gt 1 ] && command=(MGET $(for _ in $(seq "$per"); do printf 'r:__rand_int__ '; done))
  # redis-benchmark counts requests, not seconds: a short calibration sizes the run to about --seconds.
  n=$(redis-benchmark -p "$redisport" -c 50 -n $((2000 / per + 200)) -r "$range" --csv "${command[@]}" | awk -F'"' 'NR == 2 { printf "%d", $4 }')
  redis-benchmark -p "$redisport" -c 50 -n $(( (n > 0 ? n : 1000) * seconds )) -r "$range" --csv "${command[@]}" |
    awk -F'"' -v per="$per" 'NR == 2 { printf "%.0f 1\n", $4 * per }'
}
pg_bench() { # pg_bench <script> <rows per transaction> [database]
  local report
  report=$(as_postgres "$pgbin/pgbench" -n -h 127.0.0.1 -p "$pgport" -U postgres -c 16 -j 1 -T "$seconds" -f "$work/$1" "${3:-postgres}" 2>&1)
  awk -v per="$2" '/^tps = / { rate = $3 } /number of failed transactions/ { failed = $5 } /number of transactions actually processed/ { split($6, d, "/"); done_ = d[1] }
    END { printf "%.0f %s\n", rate * per, (done_ > 0 ? sprintf("%.4f", 1 - failed / (done_ + failed)) : "0") }' <<<"$report"
}
dns() { # Knot answering the hot identifiers' TXT records to dnsperf
  local report
  report=$(dnsperf -s 127.0.0.1 -p "$dnsport" -d "$work/dns-hot.txt" -l "$seconds" -c 8 -T 1 -q 500 -e 2>&1)
  awk '/Queries per second:/ { rate = $4 } /Queries completed:/ { sent = $3 } /Response codes:/ { for (i = 3; i <= NF; i += 3) if ($i == "NOERROR") ok = $(i + 1) }
    END { printf "%.0f %s\n", rate, (sent > 0 ? sprintf("%.4f", ok / sent) : "0") }' <<<"$report"
}

handle_perf() { # handle_perf <port> <udp|tcp> <keys file> [resolver-handleperf options]: peak Handle rate, "<queries/s> <SUCCESS share>"
  local port=$1 transport=$2 keys=$3 report; shift 3
  report=$("$handleperf" --server "127.0.0.1:$port" --transport "$transport" --keys "$work/$keys" --seconds "$seconds" --warmup 1 "$@" 2>&1) || true
  echo "$report" >>"$work/handleperf.log"
  # "Response codes:       SUCCESS 1234 (100.00%), ..."; a lost request (no answer in time) is not OK.
  awk '/Queries per second:/ { rate = $4 } /Queries completed:/ { done_ = $3 } /Queries lost:/ { lost = $3 }
    /Response codes:/ { for (i = 3; i < NF; i++) if ($i == "SUCCESS") ok = $(i + 1) }
    END { printf "%.0f %s\n", rate, (done_ + lost > 0 ? sprintf("%.4f", ok / (done_ + lost)) : "0") }' <<<"$report"
}
rest() { # rest <URI file>: Handle.Net's REST API over HTTP/1.1 (keep-alive, no pipelining), 16 connections: "<requests/s> <2xx share>"
  local report
  report=$(h2load --h1 -D "$seconds" --warm-up-time 1 -c 16 -t 1 -i "$work/$1" 2>&1)
  awk '/^finished in/ { gsub(",", "", $4); rate = $4 } /^requests:/ { done_ = $6; ok = $8 }
    END { printf "%.0f %s\n", rate, (done_ > 0 ? sprintf("%.4f", ok / done_) : "0") }' <<<"$report"
}
# The Handle loads: UDP 4 sockets x 16 in flight (more made both servers drop datagrams on this machine: their receive
# buffers overflow); persistent TCP 8 connections x 32 in flight (Resolver answers 32 at once per connection), as h2load's
# 8 x 32 gRPC calls; a connection per request, 32 at once, is how CNRI's server takes TCP (one answer, then it closes).
handle_udp=(-c 4 -q 16) handle_tcp=(-c 8 -q 32) handle_per_request=(-c 32 --connection-per-request)
# The misses: 64 requests in flight, as resolver bench's 64 callers in the gRPC unary cases.
handle_udp_miss=(-c 4 -q 16) handle_tcp_miss=(-c 2 -q 32)

# The JIT tiers code up over the first seconds of load: every gRPC server gets a few unmeasured seconds of each mode first.
log "warming up the servers (JIT)"
for name in "${servers[@]}"; do
  for mode in "Resolve unary.bin" "BatchResolve batch.bin" "ResolveStream stream.bin"; do
    set -- $mode
    h2load -D "$(( smoke ? 1 : 3 ))" -c 8 -m 32 -t 1 -d "$work/$2" -H 'content-type: application/grpc' -H 'te: trailers' \
      "http://127.0.0.1:${grpc[$name]}/resolver.v1.Resolution/$1" >/dev/null 2>&1 || die "warming $name failed"
  done
done
# And the Handle listeners, Resolver's REST API and CNRI's JVM (every path measured) the same way, when a case uses them.
uses_in() { # uses_in <system> <case>...: whether one of the cases is selected and uses the system
  local system=$1 case; shift
  for case in "$@"; do selected "$case" && [[ " ${uses[$case]:-} " == *" $system "* ]] && return 0; done
  return 1
}
warm_seconds=$(( smoke ? 1 : 3 ))
for name in resolver-l1 resolver-redis resolver-store; do
  uses_in "$name" "$HU" "$HT" "$HRT" "$HPT" || continue
  for transport in udp tcp; do
    "$handleperf" --server "127.0.0.1:${handle[$name]}" --transport "$transport" --keys "$work/hot.txt" --seconds "$warm_seconds" --warmup 0 >/dev/null 2>&1 ||
      die "warming $name's Handle listener over $transport failed"
  done
done
if uses_in resolver-l1 "$HR"; then
  sed "s|^|http://127.0.0.1:${http[resolver-l1]}/api/handles/|" "$work/hot.txt" >"$work/rest-resolver.txt"
  h2load --h1 -D "$warm_seconds" -c 16 -t 1 -i "$work/rest-resolver.txt" >/dev/null 2>&1 || die "warming Resolver's REST API failed"
fi
if needs cnri; then
  # Java's JIT takes longer to reach its best code than .NET's tiering: three times as long on each path.
  sed "s|^|http://127.0.0.1:$cnri_http/api/handles/|" "$work/hot.txt" >"$work/rest-cnri.txt"
  "$handleperf" --server "127.0.0.1:$cnri_port" --keys "$work/hot.txt" --seconds $((warm_seconds * 3)) --warmup 0 "${handle_udp[@]}" >/dev/null 2>&1 ||
    die "warming CNRI over UDP failed"
  "$handleperf" --server "127.0.0.1:$cnri_port" --transport tcp --keys "$work/hot.txt" --seconds $((warm_seconds * 3)) --warmup 0 "${handle_per_request[@]}" >/dev/null 2>&1 ||
    die "warming CNRI over TCP failed"
  h2load --h1 -D $((warm_seconds * 3)) -c 16 -t 1 -i "$work/rest-cnri.txt" >/dev/null 2>&1 || die "warming CNRI's REST API failed"
fi

# Each case: systems run in turn, round after round; results go to $work/results as "<case>|<system>|<line>".
: >"$work/results"
run_case() { # run_case <case> <system>=<resolver name or -> <command>... separated by ';;'
  local case=$1; shift
  selected "$case" || return 0
  local -a entries=()
  local entry=""
  for word in "$@"; do
    if [ "$word" = ";;" ]; then entries+=("$entry"); entry=""; else entry+="${entry:+ }$word"; fi
  done
  [ -n "$entry" ] && entries+=("$entry")
  local round system resolver rest line
  for round in $(seq "$rounds"); do
    for entry in "${entries[@]}"; do
      read -r system resolver rest <<<"$entry"
      log "$case, round $round/$rounds: $system"
      # shellcheck disable=SC2086 # the command's words were split on purpose
      line=$(measure "$resolver" $rest) || die "$case: $system failed"
      echo "$case|$system|$line" >>"$work/results"
    done
  done
}

run_case "$U" \
  resolver resolver-l1 h2 resolver-l1 Resolve unary.bin 1 ";;" \
  baseline - h2 baseline Resolve unary.bin 1 ";;" \
  knot - dns
run_case "$B" \
  resolver resolver-l1 h2 resolver-l1 BatchResolve batch.bin "$hot" ";;" \
  baseline - h2 baseline BatchResolve batch.bin "$hot" ";;" \
  redis-mget - redis_bench "$hot" "$hot" ";;" \
  "resolver-bench-cli" resolver-l1 bench resolver-l1 batch hot.txt 16
run_case "$S" \
  resolver resolver-l1 h2 resolver-l1 ResolveStream stream.bin "$hot" ";;" \
  baseline - h2 baseline ResolveStream stream.bin "$hot"
# What the Redis-tier node's own counters say those cases cost (issue 25, item 13: with L1 off it once sent every batch to
# the store): Redis lookups and hits, MGETs and store lookups over both Redis-tier cases, for the report.
tier_counters() { needs resolver-redis && echo "$(metric resolver-redis resolver_cache_lookups_total 'tier="redis"') $(metric resolver-redis resolver_cache_lookups_total 'tier="redis",result="hit"|result="hit",tier="redis"') $(metric resolver-redis resolver_redis_reads_total '.') $(metric resolver-redis resolver_cache_lookups_total 'tier="store"')"; }
tier_before=$(tier_counters || true)
run_case "$RB" \
  resolver resolver-redis bench resolver-redis batch keys.txt 16 ";;" \
  redis-mget - redis_bench "$hot" "$count" ";;" \
  "resolver-h2load-hot" resolver-redis h2 resolver-redis BatchResolve batch.bin "$hot" 2
run_case "$RU" \
  resolver resolver-redis bench resolver-redis unary keys.txt 64 ";;" \
  redis-get - redis_bench 1 "$count"
tier_after=$(tier_counters || true)
# With --large, the node serving --large identifiers alternates with the one serving --count, on random keys of its own,
# and pgbench runs the same queries on the large database: how much of a slowdown is PostgreSQL's own.
larger_batch=() larger_unary=()
if [ -n "$large" ]; then
  larger_batch=(";;" "resolver-$large" resolver-store-large bench resolver-store-large batch keys-large.txt 16
    ";;" "pgbench-any-$large" - pg_bench pg-any-large.sql "$hot" large)
  larger_unary=(";;" "resolver-$large" resolver-store-large bench resolver-store-large unary keys-large.txt 64
    ";;" "pgbench-one-$large" - pg_bench pg-one-large.sql 1 large)
fi
run_case "$PB" \
  resolver resolver-store bench resolver-store batch keys.txt 16 ";;" \
  pgbench-any - pg_bench pg-any.sql "$hot" "${larger_batch[@]}"
run_case "$PU" \
  resolver resolver-store bench resolver-store unary keys.txt 64 ";;" \
  pgbench-one - pg_bench pg-one.sql 1 "${larger_unary[@]}"

# The Handle protocol. UDP against Knot's dnsperf on the same names; persistent TCP against the node's own gRPC unary calls
# (h2load, as in the first case); CNRI with --cnri, over TCP a connection per request, and Resolver that way too, like for like.
cnri_udp=() cnri_tcp=() cnri_rest=()
if [ -n "$cnri" ]; then
  cnri_udp=(";;" cnri - handle_perf "${cnri_port:-0}" udp hot.txt "${handle_udp[@]}")
  cnri_tcp=(";;" resolver-per-request resolver-l1 handle_perf "${handle[resolver-l1]}" tcp hot.txt "${handle_per_request[@]}"
    ";;" cnri - handle_perf "${cnri_port:-0}" tcp hot.txt "${handle_per_request[@]}")
fi
run_case "$HU" \
  resolver resolver-l1 handle_perf "${handle[resolver-l1]}" udp hot.txt "${handle_udp[@]}" ";;" \
  knot - dns "${cnri_udp[@]}"
run_case "$HT" \
  resolver resolver-l1 handle_perf "${handle[resolver-l1]}" tcp hot.txt "${handle_tcp[@]}" ";;" \
  resolver-grpc-unary resolver-l1 h2 resolver-l1 Resolve unary.bin 1 "${cnri_tcp[@]}"
[ -z "$cnri" ] || run_case "$HR" \
  resolver resolver-l1 rest rest-resolver.txt ";;" \
  cnri - rest rest-cnri.txt
run_case "$HRT" \
  resolver-handle-udp resolver-redis handle_perf "${handle[resolver-redis]}" udp keys.txt "${handle_udp_miss[@]}" ";;" \
  resolver-handle-tcp resolver-redis handle_perf "${handle[resolver-redis]}" tcp keys.txt "${handle_tcp_miss[@]}" ";;" \
  resolver-grpc-bench resolver-redis bench resolver-redis unary keys.txt 64
run_case "$HPT" \
  resolver-handle-udp resolver-store handle_perf "${handle[resolver-store]}" udp keys.txt "${handle_udp_miss[@]}" ";;" \
  resolver-handle-tcp resolver-store handle_perf "${handle[resolver-store]}" tcp keys.txt "${handle_tcp_miss[@]}" ";;" \
  resolver-grpc-bench resolver-store bench resolver-store unary keys.txt 64

: >"$work/latency"
rss_kb="" hwm_kb=""
if needs resolver-l1 && needs baseline; then # the gRPC cases on the L1 node (not the Handle ones alone)
  log "one caller, unary, hot: latency"
  for round in $(seq "$rounds"); do
    latency >>"$work/latency"
    h2_latency resolver-l1 >>"$work/latency-h2-resolver"
    h2_latency baseline >>"$work/latency-h2-baseline"
  done
  rss_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/${pid[resolver-l1]}/status")
  hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/${pid[resolver-l1]}/status")
fi

# 7. The report.
date_=$(date -u +%Y-%m-%d)
out=${out:-$repo/benchmarks/results/$date_.md}
mkdir -p "$(dirname "$out")"
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column_of() { awk -F'|' -v c="$1" -v s="$2" '$1 == c && $2 == s { print $3 }' "$work/results"; }
med() { column_of "$1" "$2" | awk -v f="$3" '{ print $f }' | median; }
medf() { column_of "$1" "$2" | awk -v f="$3" '{ print $f }' | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }'; }
{
  echo "# Comparison of $date_"
  echo
  echo "Produced by \`benchmarks/compare.sh --count $count --prefixes $prefixes --seconds $seconds --rounds $rounds$([ $smoke -eq 1 ] && echo ' --smoke')${only:+ --only \"$only\"}${large:+ --large $large}${cnri:+ --cnri $cnri}$([ ${#resolver_args[@]} -eq 0 ] || printf ' --resolver-arg %s' "${resolver_args[@]}")$([ ${#pg_settings[@]} -eq 0 ] || printf ' --pg-setting %s' "${pg_settings[@]}")\`"
  echo "on $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo),"
  echo "$(uname -sr), $commit."
  echo "Dataset: $count identifiers across $prefixes enterprise prefixes, three values of about 200 bytes each"
  echo "(a unary request body is $(stat -c %s "$work/unary.bin") bytes$([ -f "$work/knot/zone" ] && echo "; Knot holds about $(( $(wc -c <"$work/knot/zone") / count )) bytes of TXT per name"))."
  [ -z "$large" ] || echo "The \`resolver-$large\` and \`pgbench-*-$large\` rows: a store-only node and pgbench over a second database of $large identifiers (the same formula), on random keys of their own."
  echo "Each system ran $seconds s per round, $rounds rounds, alternating within each case; figures are medians."
  echo "CPU is in cores busy during the run: the load generator's own, and the rest of the machine (the server side)."
  echo "OK share: for Resolver, identifiers answered with their record over all answered, from its \`resolver_resolutions_total\`"
  echo "counters (h2load counts any HTTP 200 as success); for h2load on the baseline, HTTP 2xx; for Knot, NOERROR; for pgbench, transactions without failure;"
  echo "for CNRI, SUCCESS over the requests sent (\`resolver-handleperf\`: a request without an answer within 1 s is lost) or HTTP 2xx."
  echo "Handle cases: \`resolver-handleperf\` (benchmarks/Resolver.HandlePerf) over UDP ${handle_udp[*]}, persistent TCP ${handle_tcp[*]},"
  echo "TCP ${handle_per_request[*]} (CNRI's server answers one request per connection); misses UDP ${handle_udp_miss[*]}, TCP ${handle_tcp_miss[*]};"
  echo "REST: \`h2load --h1 -c 16\` over the hot identifiers' /api/handles/ URIs.${cnri:+ CNRI: Handle.Net $(basename "$(ls "$cnri"/lib/handle-*.jar 2>/dev/null | head -1)" .jar | sed 's/^handle-//'), its access log off.}"
  echo
  echo "| case | system | IDs/s (median) | server cores | load generator cores | OK share |"
  echo "| --- | --- | ---: | ---: | ---: | ---: |"
  awk -F'|' '{ print $1 "|" $2 }' "$work/results" | awk '!seen[$0]++' | while IFS='|' read -r case system; do
    printf '| %s | %s | %s | %s | %s | %s |\n' "$case" "$system" "$(med "$case" "$system" 1)" "$(medf "$case" "$system" 2)" "$(medf "$case" "$system" 3)" "$(medf "$case" "$system" 4)"
  done
  p50="" p99=""
  if [ -s "$work/latency" ]; then
    p50=$(awk '{ print $1 }' "$work/latency" | median) p99=$(awk '{ print $2 }' "$work/latency" | median)
    echo
    echo "One caller, unary, hot identifiers (\`resolver bench --mode unary -c 1\`): p50 $p50 µs, p99 $p99 µs."
    echo "The same from a C client (\`h2load -c 1 -m 1\`, which reports means only): Resolver $(median <"$work/latency-h2-resolver") µs,"
    echo "the bare baseline $(median <"$work/latency-h2-baseline") µs per call."
    echo "Resolver (all caches) resident memory at the end: $((rss_kb / 1024)) MiB (peak $((hwm_kb / 1024)) MiB), L1 budget 256 MiB."
  fi
  echo
  echo "## Ratios against the targets (issue 9; the Handle protocol's, issue 24)"
  echo
  echo "| target | measured | goal | met |"
  echo "| --- | ---: | ---: | --- |"
  ratio() { # ratio <label> <numerator> <denominator> <goal>
    awk -v l="$1" -v a="$2" -v b="$3" -v g="$4" 'BEGIN {
      if (a <= 0 || b <= 0) { printf "| %s | not measured | ≥ %s × | — |\n", l, g; exit }
      r = a / b; printf "| %s | %.2f × | ≥ %s × | %s |\n", l, r, g, (r >= g ? "yes" : "**no**") }'
  }
  knot=$(med "$U" knot 1)
  ratio "unary L1 hit / bare baseline" "$(med "$U" resolver 1)" "$(med "$U" baseline 1)" 0.9
  ratio "unary L1 hit / Knot queries" "$(med "$U" resolver 1)" "$knot" 1.0
  ratio "batch L1 hit / bare baseline" "$(med "$B" resolver 1)" "$(med "$B" baseline 1)" 0.8
  ratio "batch L1 hit / redis-benchmark MGET 100 (hot keys)" "$(med "$B" resolver 1)" "$(med "$B" redis-mget 1)" 1.0
  ratio "batch L1 hit / Knot queries" "$(med "$B" resolver 1)" "$knot" 10
  ratio "stream L1 hit / bare baseline" "$(med "$S" resolver 1)" "$(med "$S" baseline 1)" 0.7
  ratio "stream L1 hit / Knot queries" "$(med "$S" resolver 1)" "$knot" 5
  ratio "Redis-tier batch / redis-benchmark MGET 100 (random)" "$(med "$RB" resolver 1)" "$(med "$RB" redis-mget 1)" 0.9
  ratio "PostgreSQL-miss batch / pgbench = ANY(100)" "$(med "$PB" resolver 1)" "$(med "$PB" pgbench-any 1)" 0.85
  ratio "unary misses / pgbench one query per call" "$(med "$PU" resolver 1)" "$(med "$PU" pgbench-one 1)" 1.5
  ratio "Handle UDP L1 hit / Knot queries (dnsperf, same names)" "$(med "$HU" resolver 1)" "$(med "$HU" knot 1)" 1.0
  ratio "Handle TCP persistent L1 hit / gRPC unary calls (h2load), same node" "$(med "$HT" resolver 1)" "$(med "$HT" resolver-grpc-unary 1)" 1.0
  ratio "Handle UDP L1 hit / CNRI Handle.Net over UDP" "$(med "$HU" resolver 1)" "$(med "$HU" cnri 1)" 5
  ratio "Handle TCP persistent L1 hit / CNRI over TCP (a connection per request, the only way it serves)" "$(med "$HT" resolver 1)" "$(med "$HT" cnri 1)" 5
  ratio "REST GET L1 hit / CNRI's REST API" "$(med "$HR" resolver 1)" "$(med "$HR" cnri 1)" 5
  if [ -n "$large" ]; then
    ratio "PostgreSQL-miss batch, $large identifiers / $count" "$(med "$PB" "resolver-$large" 1)" "$(med "$PB" resolver 1)" 0.8
    ratio "PostgreSQL-miss unary, $large identifiers / $count" "$(med "$PU" "resolver-$large" 1)" "$(med "$PU" resolver 1)" 0.8
  else
    ratio "PostgreSQL misses, 10,000,000 identifiers / 100,000 (--large)" 0 0 0.8
  fi
  if [ -n "$p50" ]; then
    awk -v p50="$p50" -v p99="$p99" 'BEGIN {
      printf "| one caller unary L1 hit p50 | %d µs | ≤ 100 µs | %s |\n", p50, (p50 <= 100 ? "yes" : "**no**");
      printf "| one caller unary L1 hit p99 | %d µs | ≤ 500 µs | %s |\n", p99, (p99 <= 500 ? "yes" : "**no**") }'
    awk -v rss="$((rss_kb / 1024))" 'BEGIN { printf "| resident memory after the run (not the 10-minute soak) | %d MiB | ≤ 250 + 256 MiB | %s |\n", rss, (rss <= 506 ? "yes" : "**no**") }'
  else
    echo "| one caller unary L1 hit p50, p99; resident memory | not measured | ≤ 100 µs, ≤ 500 µs; ≤ 250 + 256 MiB | — |"
  fi
  if [ -n "$tier_before" ] && { selected "$RB" || selected "$RU"; }; then
    echo
    read -r l0 h0 m0 s0 <<<"$tier_before"
    read -r l1 h1 m1 s1 <<<"$tier_after"
    echo "The Redis-tier node (\`resolver-redis\`, L1 off) over the gRPC Redis-tier cases (batch and unary), from its own counters: $((l1 - l0)) Redis lookups,"
    echo "$((h1 - h0)) of them hits, in $((m1 - m0)) MGETs; $((s1 - s0)) store lookups."
  fi
  if [ -n "$cnri" ] && selected "$HT"; then
    echo
    awk -v a="$(med "$HT" resolver-per-request 1)" -v b="$(med "$HT" cnri 1)" 'BEGIN {
      printf "Like for like over TCP, a connection per request on both: Resolver / CNRI %s.\n", (a > 0 && b > 0 ? sprintf("%.2f ×", a / b) : "not measured") }'
  fi
  if [ -n "$large" ]; then
    echo
    awk -v l="$large" -v c="$count" -v a1="$(med "$PB" "pgbench-any-$large" 1)" -v a0="$(med "$PB" pgbench-any 1)" \
      -v o1="$(med "$PU" "pgbench-one-$large" 1)" -v o0="$(med "$PU" pgbench-one 1)" 'BEGIN {
      printf "PostgreSQL itself, same queries through pgbench, %d identifiers / %d: = ANY(100) %s, one query per call %s.\n", l, c,
        (a0 > 0 && a1 > 0 ? sprintf("%.2f ×", a1 / a0) : "not measured"), (o0 > 0 && o1 > 0 ? sprintf("%.2f ×", o1 / o0) : "not measured") }'
  fi
} >"$out"
log "wrote $out"
cat "$out"

#!/usr/bin/env bash
# benchmarks/cnri/start-cnri.sh DIR [--handles N] [--prefix 88.300]... [--no-root] [--no-access-log] [--server-dir D]
#                               [--lifetime SECONDS] [--advertise-port P] [--dataset COUNT:PREFIXES[:VALUE_BYTES]]
#
# Sets up and starts a standalone CNRI Handle.Net 9 server from the distribution extracted at DIR (the folder holding
# bin/hdl-server and lib/, e.g. /opt/cnri/hsj), on 127.0.0.1 only, without registering with or contacting the global
# Handle root, in a fresh server directory, and loads its handles offline before it starts. Prints the server directory
# and returns once the server answers a resolution; stop it with stop-cnri.sh (or it stops by itself after --lifetime).
#
#   --handles N       handles per prefix: PREFIX/B-000001 ... PREFIX/B-<N> (default 1000), each with 1 URL, 2 EMAIL,
#                     3 spec (a custom type) and 100 HS_ADMIN; plus PREFIX/MANY (40 URLs: a multi-datagram UDP answer)
#                     and PREFIX/SECRET (index 2 not publicly readable)
#   --prefix P        a prefix the server homes (repeat for several; default 88.300); handles are loaded under each
#   --no-root         do not also home 0.NA/0.NA nor create the prefix handles 0.NA/P (HS_SITE, HS_ADMIN, HS_PUBKEY):
#                     then 0.NA/P resolves to 301 here, as on an ordinary local handle server
#   --no-access-log   do not log every request (the server's default, and hdl-setup-server's, is to log them)
#   --server-dir D    where the server lives (default /tmp/cnri-lab/server-$CNRI_PORT; emptied first)
#   --lifetime S      the server is stopped after S seconds whatever happens (default $CNRI_LIFETIME or 3600)
#   --advertise-port P  siteinfo.json and the HS_SITE values name port P instead of $CNRI_PORT: for a capture proxy
#                     listening on P in front of the server (capture-fixtures.sh)
#   --dataset C:P[:B] load Resolver's benchmark dataset instead (benchmarks/Resolver.Dataset with --count C --prefixes P
#                     --value-bytes B): 88.100.{e}/item-{i:D9}, values 1 URL, 2 batch, 3 spec of B (200) characters,
#                     byte-for-byte the same texts; homes 88.100.1 ... 88.100.P (--handles and --prefix are ignored)
# Environment: CNRI_PORT (Handle UDP+TCP port, default 2641), CNRI_HTTP_PORT (default 8000), INTEROP_DIR (compiled
# helper classes, default /tmp/interop).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage() { sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; }
[ $# -ge 1 ] || { usage >&2; exit 2; }
case $1 in -h|--help) usage; exit 0 ;; esac
dist=$(cd "$1" && pwd); shift
port=${CNRI_PORT:-2641} http_port=${CNRI_HTTP_PORT:-8000} lifetime=${CNRI_LIFETIME:-3600}
handles=1000 server_dir="" prefixes=() setup_flags=() dataset=""
while [ $# -gt 0 ]; do
  case $1 in
    --handles) handles=$2; shift 2 ;;
    --prefix) prefixes+=("$2"); shift 2 ;;
    --no-root|--no-access-log) setup_flags+=("$1"); shift ;;
    --server-dir) server_dir=$2; shift 2 ;;
    --lifetime) lifetime=$2; shift 2 ;;
    --advertise-port) setup_flags+=(--advertise-port "$2"); shift 2 ;;
    --dataset) setup_flags+=(--dataset "$2"); dataset=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "start-cnri.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
[ ${#prefixes[@]} -gt 0 ] || prefixes=(88.300)
probe_handle=${prefixes[0]}/B-000001
if [ -n "$dataset" ]; then
  [[ $dataset =~ ^[0-9]+:[1-9][0-9]*(:[0-9]+)?$ ]] || { echo "start-cnri.sh: --dataset wants COUNT:PREFIXES[:VALUE_BYTES]" >&2; exit 2; }
  prefixes=(88.100.1) probe_handle=88.100.1/item-000000000
fi
for number in "$handles" "$port" "$http_port" "$lifetime"; do
  [[ $number =~ ^[0-9]+$ ]] || { echo "start-cnri.sh: '$number' is not a whole number" >&2; exit 2; }
done
[ -x "$dist/bin/hdl-server" ] && ls "$dist"/lib/handle-*.jar >/dev/null 2>&1 ||
  { echo "start-cnri.sh: $dist is not a Handle.Net distribution (no bin/hdl-server, lib/handle-*.jar)" >&2; exit 2; }
command -v java >/dev/null || { echo "start-cnri.sh: java is missing (apt-get install -y openjdk-17-jdk-headless)" >&2; exit 2; }
server_dir=${server_dir:-/tmp/cnri-lab/server-$port}

if [ -f "$server_dir/run.pid" ] && kill -0 "$(cat "$server_dir/run.pid")" 2>/dev/null; then
  echo "start-cnri.sh: a server is already running from $server_dir (pid $(cat "$server_dir/run.pid")); stop it with $here/stop-cnri.sh $server_dir" >&2
  exit 1
fi
for p in "$port" "$http_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "start-cnri.sh: 127.0.0.1:$p is already in use" >&2
    exit 1
  fi
done

rm -rf "$server_dir"
mkdir -p "$server_dir"
prefix_args=()
for p in "${prefixes[@]}"; do prefix_args+=(--prefix "$p"); done
echo "start-cnri.sh: setting up $server_dir and loading ${dataset:+the dataset $dataset}${dataset:-$handles handles under ${prefixes[*]}}" >&2
CNRI_HOME=$dist "$here/clients/run.sh" CnriSetup --dir "$server_dir" --port "$port" --http-port "$http_port" --handles "$handles" \
  "${prefix_args[@]}" ${setup_flags[@]+"${setup_flags[@]}"} 2>&1 | grep -v '^Picked up\|^Warning: data not encrypted' >&2

# The distribution's own launcher (bin/hdl-server -> bin/hdl server: java -Xmx200M net.handle.server.Main DIR). The
# server's internal resolver reads its configuration from net.handle.configDir (hdlconfig/: every lookup goes to this
# site, root info never refreshed), passed through JAVA_TOOL_OPTIONS because bin/hdl takes no JVM options.
# timeout bounds its life; setsid gives it its own process group, which stop-cnri.sh signals.
JAVA_TOOL_OPTIONS="-Dnet.handle.configDir=$server_dir/hdlconfig" \
  setsid timeout -k 10 "$lifetime" "$dist/bin/hdl-server" "$server_dir" > "$server_dir/server.out" 2>&1 < /dev/null &
pid=$!
echo "$pid" > "$server_dir/run.pid"

deadline=$((SECONDS + 90))
until CNRI_HOME=$dist "$here/clients/run.sh" CnriResolve 127.0.0.1 "$port" tcp "$probe_handle" --no-rec >/dev/null 2>&1 ||
      { [ "$handles" -eq 0 ] && CNRI_HOME=$dist "$here/clients/run.sh" CnriSiteInfo 127.0.0.1 "$port" >/dev/null 2>&1; }; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "start-cnri.sh: the server exited; the end of $server_dir/server.out:" >&2
    tail -20 "$server_dir/server.out" >&2
    exit 1
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "start-cnri.sh: the server did not answer within 90 s; stopping it. The end of $server_dir/server.out:" >&2
    tail -20 "$server_dir/server.out" >&2
    "$here/stop-cnri.sh" "$server_dir" >&2 || true
    exit 1
  fi
  sleep 1
done
cat <<EOF
CNRI Handle.Net $(basename "$(ls "$dist"/lib/handle-*.jar)" .jar | sed 's/^handle-//') server up: pid $pid, stops by itself in $lifetime s
  Handle UDP+TCP 127.0.0.1:$port, HTTP 127.0.0.1:$http_port (http://127.0.0.1:$http_port/api/handles/$probe_handle)
  server directory $server_dir (config.dct, siteinfo.json, bdbje/, logs/error.log, logs/access.log, server.out)
  try:  $here/clients/run.sh CnriResolve 127.0.0.1 $port udp $probe_handle
  stop: $here/stop-cnri.sh $server_dir
EOF

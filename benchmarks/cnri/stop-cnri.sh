#!/usr/bin/env bash
# benchmarks/cnri/stop-cnri.sh [SERVER_DIR]: stops the CNRI server start-cnri.sh started from SERVER_DIR (default
# /tmp/cnri-lab/server-$CNRI_PORT, port 2641): SIGTERM to its process group (the server's shutdown hook closes the
# database), SIGKILL after 15 s if it is still there. Leaves the server directory (logs, database) in place.
set -euo pipefail
server_dir=${1:-/tmp/cnri-lab/server-${CNRI_PORT:-2641}}
pidfile=$server_dir/run.pid
[ -f "$pidfile" ] || { echo "stop-cnri.sh: no $pidfile: nothing started from $server_dir" >&2; exit 1; }
pid=$(cat "$pidfile")
if ! kill -0 "$pid" 2>/dev/null; then
  echo "stop-cnri.sh: pid $pid (from $pidfile) is not running" >&2
  rm -f "$pidfile"
  exit 0
fi
# start-cnri.sh ran the server under setsid, so $pid leads its own process group: timeout, bin/hdl's shell, java.
kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
for _ in $(seq 1 30); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
if kill -0 "$pid" 2>/dev/null; then
  echo "stop-cnri.sh: still running after 15 s: SIGKILL" >&2
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
fi
rm -f "$pidfile"
echo "stop-cnri.sh: stopped pid $pid ($server_dir)"

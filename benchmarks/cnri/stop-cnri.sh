#!/usr/bin/env bash
# benchmarks/cnri/stop-cnri.sh [SERVER_DIR]: stops the CNRI server start-cnri.sh started from SERVER_DIR (default
# /tmp/cnri-lab/server-$CNRI_PORT, port 2641): SIGTERM to its process group (the server's shutdown hook closes the
# database), SIGKILL after 15 s if it is still there. Leaves the server directory (logs, database) in place.
set -euo pipefail
server_dir=${1:-/tmp/cnri-lab/server-${CNRI_PORT:-2641}}
pidfile=$server_dir/run.pid
[ -f "$pidfile" ] || { echo "stop-cnri.sh: no $pidfile: nothing started from $server_dir" >&2; exit 1; }
pid=$(cat "$pidfile")
# start-cnri.sh ran the server under setsid, so $pid leads its own process group: timeout, bin/hdl's shell, java. The group is
# what is waited for: timeout exits as soon as it has passed the signal on, while java is still closing its database.
running() { kill -0 -- "-$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null; }
if ! running; then
  echo "stop-cnri.sh: pid $pid (from $pidfile) is not running" >&2
  rm -f "$pidfile"
  exit 0
fi
kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
for _ in $(seq 1 30); do
  running || break
  sleep 0.5
done
if running; then
  echo "stop-cnri.sh: still running after 15 s: SIGKILL" >&2
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
fi
rm -f "$pidfile"
echo "stop-cnri.sh: stopped pid $pid ($server_dir)"

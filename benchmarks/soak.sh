#!/usr/bin/env bash
# benchmarks/soak.sh: Resolver's resident memory over a long mixed run (issue 9: at most 250 MB plus the L1 budget, flat).
# One node on the embedded SQLite store holding the benchmark dataset, driven by three `resolver bench` processes at once
# (unary, batch of 100, stream) at random over the whole dataset, so L1 fills to its budget and keeps evicting. The
# node's VmRSS is sampled every --every seconds; writes benchmarks/results/<date>-soak.md (or --out FILE).
# Everything runs on 127.0.0.1 and stops on exit. Needs the Release binaries (./test.sh or dotnet build -c Release).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

seconds=600 count=1000000 every=30 l1mb=256 heapmb="" out=""
while [ $# -gt 0 ]; do
  case $1 in
    --minutes) seconds=$(($2 * 60)); shift 2 ;;
    --seconds) seconds=$2; shift 2 ;; # for a smoke run
    --count) count=$2; shift 2 ;;
    --every) every=$2; shift 2 ;;
    --l1-max-mb) l1mb=$2; shift 2 ;;
    --heap-limit-mb) heapmb=$2; shift 2 ;; # the node's --heap-limit-mb (MiB, or off); without it the node derives its own (auto)
    --out) out=$2; shift 2 ;;
    -h|--help) echo "usage: benchmarks/soak.sh [--minutes 10 | --seconds S] [--count 1000000] [--every 30] [--l1-max-mb 256] [--heap-limit-mb MB|off] [--out FILE]"; exit 0 ;;
    *) echo "soak.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

server=$repo/src/Resolver.Server/bin/Release/net10.0/Resolver.Server
cli=$repo/src/Resolver.Cli/bin/Release/net10.0/resolver
dataset=$repo/benchmarks/Resolver.Dataset/bin/Release/net10.0/resolver-dataset
for binary in "$server" "$cli" "$dataset"; do
  [ -x "$binary" ] || { echo "soak.sh: $binary is missing: build the solution in Release first" >&2; exit 2; }
done

work=$(mktemp -d /tmp/resolver-soak.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

echo "soak: loading $count identifiers into SQLite" >&2
"$dataset" --count "$count" load --sqlite "$work/resolver.db" 2>/dev/null
"$dataset" --count "$count" export keys -o "$work/keys.txt"
grpc=$(free_port) http=$(free_port)
"$server" --store "sqlite:$work/resolver.db" --data-dir "$work" --rate-limit off --l1-max-mb "$l1mb" --heap-limit-mb "${heapmb:-auto}" \
  --grpc-url "http://127.0.0.1:$grpc" --http-url "http://127.0.0.1:$http" --handle-url hdl://127.0.0.1:0 >"$work/server.log" 2>&1 &
node=$!
pids+=($node)
deadline=$((SECONDS + 60))
until curl -sf "http://127.0.0.1:$http/healthz/ready" >/dev/null; do
  [ $SECONDS -lt $deadline ] || { echo "soak.sh: the node did not come up: $(tail -3 "$work/server.log")" >&2; exit 1; }
  sleep 0.2
done

echo "soak: $seconds s of unary, batch and stream load at random over the dataset" >&2
for mode in "unary -c 16" "batch -c 4" "stream -c 4 --window 100"; do
  # shellcheck disable=SC2086 # the mode's words are options
  "$cli" --server "http://127.0.0.1:$grpc" --output json bench --mode $mode --keys "$work/keys.txt" --duration "$seconds" --warmup 0 \
    >"$work/bench-${mode%% *}.json" 2>/dev/null &
  pids+=($!)
done

: >"$work/rss"
started=$SECONDS
while [ $((SECONDS - started)) -lt "$seconds" ]; do
  sleep "$every"
  # A node that died (out of memory, say) has no RSS to report: that is the finding, not a row of zeros.
  rss=$(awk '/^VmRSS:/ { printf "%d", $2 / 1024 }' "/proc/$node/status" 2>/dev/null) && [ -n "$rss" ] ||
    { echo "soak.sh: the node exited during the run: $(tail -5 "$work/server.log")" >&2; exit 1; }
  echo "$((SECONDS - started)) $rss" >>"$work/rss"
done
wait "${pids[@]:1}" 2>/dev/null || true
# Identifiers answered, and what was not: a node that survives but refuses or fails calls is no success.
read -r answered refused errors < <(python3 -c '
import json, sys
reports = [json.load(open(f)) for f in sys.argv[1:]]
errors = {}
for r in reports:
    for status, count in r["errors"].items():
        errors[status] = errors.get(status, 0) + count
print(sum(r["ids"] for r in reports), sum(r["refused"] for r in reports), ", ".join(f"{s} {n}" for s, n in sorted(errors.items())) or "none")
' "$work"/bench-*.json)

# The limit the node chose, as it logged it at start (event 1301), e.g. "448 MiB: derived from --l1-max-mb and --max-message-bytes".
heaplimit=$(sed -n 's/.*GC heap limit \(.*\)$/\1/p' "$work/server.log" | head -1)
out=${out:-$repo/benchmarks/results/$(date -u +%Y-%m-%d)-soak.md}
mkdir -p "$(dirname "$out")"
{
  echo "# Memory over a $((seconds / 60))-minute mixed run ($seconds s), $(date -u +%Y-%m-%d)"
  echo
  echo "Produced by \`benchmarks/soak.sh --seconds $seconds --count $count --every $every --l1-max-mb $l1mb${heapmb:+ --heap-limit-mb $heapmb}\` on $(nproc) cores, commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)."
  echo "One node on SQLite, L1 budget $l1mb MiB, GC heap limit ${heaplimit:-unknown}, no Redis; three \`resolver bench\` processes (unary -c 16, batch of 100 -c 4,"
  echo "stream -c 4) at random over $count identifiers answered $answered identifiers in all; calls refused: $refused;"
  echo "statuses other than OK: $errors."
  echo
  awk -v budget="$l1mb" '{ t[NR] = $1; r[NR] = $2; if (NR == 1 || $2 > max) max = $2; if (NR == 1 || $2 < min) min = $2 }
    END {
      half = int(NR / 2); for (i = 1; i <= NR; i++) { if (i <= half) a += r[i]; else b += r[i] }
      printf "| resident memory (VmRSS) | MiB |\n| --- | ---: |\n| lowest | %d |\n| highest | %d |\n| mean, first half | %.0f |\n| mean, second half | %.0f |\n| last | %d |\n| goal: at most 250 + L1 budget | %d |\n\n",
        min, max, a / half, b / (NR - half), r[NR], 250 + budget;
      printf "Samples (seconds since the load began, MiB):"; for (i = 1; i <= NR; i++) printf " %d:%d", t[i], r[i]; printf "\n" }' "$work/rss"
} >"$out"
echo "soak: wrote $out" >&2
cat "$out"

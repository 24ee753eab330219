#!/usr/bin/env bash
# benchmarks/template-import.sh: what a metadata template costs a bulk import (issue 26, item 7: with a template at least
# 0.8 x the rate without one). One node on the embedded SQLite store; `resolver import` of two CSV files of the same size
# and shape: records of six values (five part attributes and one more), one file declaring the template 88.168/TPL.PART@1
# in the sixth value (so every record is judged against it), the other carrying an ordinary NOTE there instead. Rounds
# alternate the two in ABBA order, each importing into prefixes of its own (every record is created, none found unchanged). Writes
# benchmarks/results/<date>-template-import.md (or --out FILE). Everything runs on 127.0.0.1 and stops on exit.
# Needs the Release binaries (./test.sh or dotnet build -c Release).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

lines=1000000 rounds=2 out=""
while [ $# -gt 0 ]; do
  case $1 in
    --lines) lines=$2; shift 2 ;; # CSV lines per file, header aside (six per record)
    --rounds) rounds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) echo "usage: benchmarks/template-import.sh [--lines 1000000] [--rounds 2] [--out FILE]"; exit 0 ;;
    *) echo "template-import.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

server=$repo/src/Resolver.Server/bin/Release/net10.0/Resolver.Server
cli=$repo/src/Resolver.Cli/bin/Release/net10.0/resolver
for binary in "$server" "$cli"; do
  [ -x "$binary" ] || { echo "template-import.sh: $binary is missing: build the solution in Release first" >&2; exit 2; }
done

work=$(mktemp -d /tmp/resolver-template-import.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

grpc=$(free_port) http=$(free_port)
"$server" --store "sqlite:$work/resolver.db" --data-dir "$work" --rate-limit off --grpc-url "http://127.0.0.1:$grpc" \
  --http-url "http://127.0.0.1:$http" --handle-url none >"$work/server.log" 2>&1 &
pids+=($!)
deadline=$((SECONDS + 60))
until curl -sf "http://127.0.0.1:$http/healthz/ready" >/dev/null; do
  [ $SECONDS -lt $deadline ] || { echo "template-import.sh: the node did not come up: $(tail -3 "$work/server.log")" >&2; exit 1; }
  sleep 0.2
done
resolver() { "$cli" --server "http://127.0.0.1:$grpc" --token "$(cat "$work/admin-token")" "$@"; }

# The issue's part template, published as the industry's (88.168) by the administrator, as an ordinary record.
template='{"identifier":"88.168/TPL.PART","version":1,"names":{"zh":"零部件","en":"Part"},"industry":"C/38/382","allowExtraItems":false,"items":[
 {"index":2001,"code":"manufacturer","names":{"zh":"制造商","en":"Manufacturer"},"dataType":"string","required":true,"maxLength":64,"pattern":"[A-Z][A-Za-z0-9 ]*"},
 {"index":2002,"code":"weight","names":{"zh":"重量","en":"Weight"},"dataType":"number","min":0,"scale":3},
 {"index":2003,"code":"produced","names":{"zh":"生产日期","en":"Production date"},"dataType":"date","format":"yyyy-MM-dd","required":true},
 {"index":2004,"code":"grade","names":{"zh":"等级","en":"Grade"},"dataType":"enum","values":["A","B","C"]},
 {"index":2005,"code":"lot","names":{"zh":"批次标识","en":"Lot identifier"},"dataType":"identifier"}]}'
resolver prefix home 88.168 >/dev/null
resolver register 88.168/TPL.PART --value "1:TEMPLATE_DEFINITION=$template" >/dev/null

records=$((lines / 6))
# One file per kind and round, each under prefixes of its own, so that every import creates every record.
for round in $(seq 1 "$rounds"); do
  for kind in plain template; do
    prefix=88.168.$([ $kind = plain ] && echo 1 || echo 2)$round
    resolver prefix home "$prefix" >/dev/null
    python3 - "$work/$kind-$round.csv" "$prefix" "$records" "$kind" <<'EOF'
import sys
path, prefix, records, kind = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
with open(path, "w", encoding="utf-8", newline="\n") as f:
    f.write("identifier,index,type,data\n")
    for i in range(records):
        id = f"{prefix}/P{i:08d}"
        sixth = f"1001,TEMPLATE,88.168/TPL.PART@1" if kind == "template" else f"1001,NOTE,88.168/TPL.PART@1"
        f.write(f"{id},{sixth}\n{id},2001,manufacturer,Acme Works {i % 97}\n{id},2002,weight,{i % 5000}.{i % 1000:03d}\n"
                f"{id},2003,produced,2026-{i % 12 + 1:02d}-{i % 28 + 1:02d}\n{id},2004,grade,{'ABC'[i % 3]}\n{id},2005,lot,{prefix}/LOT-{i % 1000}\n")
EOF
  done
done

: >"$work/rates"
# ABBA order (plain then template, then template then plain, ...): the store grows with every import, so whichever kind
# always went second would always meet a larger store.
for round in $(seq 1 "$rounds"); do
  order="plain template"
  [ $((round % 2)) -eq 1 ] || order="template plain"
  for kind in $order; do
    echo "template-import: round $round, $kind, $((records * 6)) lines" >&2
    started=$(date +%s.%N)
    resolver --output json import "$work/$kind-$round.csv" >"$work/$kind-$round.json" 2>/dev/null
    ended=$(date +%s.%N)
    python3 - "$work/$kind-$round.json" "$kind" "$started" "$ended" "$records" >>"$work/rates" <<'EOF'
import json, sys
summary = json.load(open(sys.argv[1]))
kind, seconds, records = sys.argv[2], float(sys.argv[4]) - float(sys.argv[3]), int(sys.argv[5])
if summary["created"] != records or summary["failed"] != 0:
    sys.exit(f"template-import.sh: the {kind} import created {summary['created']} of {records} records, {summary['failed']} failed")
print(kind, f"{seconds:.2f}", f"{records * 6 / seconds:.0f}")
EOF
  done
done

out=${out:-$repo/benchmarks/results/$(date -u +%Y-%m-%d)-template-import.md}
mkdir -p "$(dirname "$out")"
{
  echo "# A metadata template's cost to a bulk import, $(date -u +%Y-%m-%d)"
  echo
  echo "Produced by \`benchmarks/template-import.sh --lines $lines --rounds $rounds\` on $(nproc) cores, commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)."
  echo "One node on SQLite, no Redis; \`resolver import\` of $((records * 6)) CSV lines ($records records of six values) per run, every record"
  echo "created. \"template\" records declare 88.168/TPL.PART@1 (five items: a pattern, a number with scale, a date, an enum and"
  echo "an identifier reference) and are judged against it; \"plain\" records carry a NOTE instead."
  echo
  echo "| round | file | seconds | lines/s |"
  echo "| ---: | --- | ---: | ---: |"
  awk '{ printf "| %d | %s | %s | %s |\n", int((NR + 1) / 2), $1, $2, $3 }' "$work/rates"
  echo
  awk '$1 == "plain" { p += $3; np++ } $1 == "template" { t += $3; nt++ }
    END { printf "With the template: %.2f x the rate without (means %.0f and %.0f lines/s; goal at least 0.8 x).\n", (t / nt) / (p / np), t / nt, p / np }' "$work/rates"
} >"$out"
echo "template-import: wrote $out" >&2
cat "$out"

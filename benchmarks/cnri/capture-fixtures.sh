#!/usr/bin/env bash
# benchmarks/cnri/capture-fixtures.sh [DIST] [--out DIR] [--install]: captures live Handle exchanges between the real
# clients (CNRI Handle.Net 9 HandleResolver, hdl-qresolver, hdl-getsiteinfo, id-pointer-sdk) and a real CNRI 9 server,
# through capture-proxy.py, one scenario at a time.
#
#   DIST        the extracted CNRI distribution (default /opt/cnri/hsj)
#   --out DIR   where each scenario's capture goes (default /tmp/interop/captures): DIR/<scenario>/NNNN-*.hex,
#               log.txt (the proxy's decoded view) and client.txt (what the client printed)
#   --install   then copy the chosen messages into tests/Resolver.Server.Tests/Handle/Fixtures/ under their fixture
#               names (the table at the end of this script; Fixtures/README.md describes each)
#
# Everything runs inside a network namespace of its own with only loopback (unshare -n; needs root), so a client
# misconfigured into asking the global Handle root cannot reach it. The server binds 127.0.0.1:2642 and advertises
# 2641 (siteinfo, HS_SITE of 0.NA/88.300), where the proxy listens, so multi-step flows (hdl-qresolver's, the SDK's)
# pass through the proxy too. Bounded: the server lives at most 900 s, each client 40 s, each proxy 60 s.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
dist=/opt/cnri/hsj out=/tmp/interop/captures install=0
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --install) install=1; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) dist=$1; shift ;;
  esac
done
if [ -z "${CAPTURE_IN_NETNS:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "capture-fixtures.sh: needs root (unshare -n)" >&2; exit 2; }
  exec env CAPTURE_IN_NETNS=1 unshare -n "$0" "$dist" --out "$out" $([ $install = 1 ] && echo --install)
fi
ip link set lo up

export CNRI_PORT=2642 CNRI_HTTP_PORT=8001
server_dir=/tmp/interop/capture-server
run=$here/clients/run.sh
rm -rf "$out"
mkdir -p "$out"
"$here/start-cnri.sh" "$dist" --handles 1000 --advertise-port 2641 --server-dir "$server_dir" --lifetime 900 >&2
trap '"$here/stop-cnri.sh" "$server_dir" >&2 || true' EXIT
# Configurations for CNRI's own tools, from the site as the server describes itself (advertising the proxy's port).
python3 "$here/capture-proxy.py" --listen 2641 --upstream 2642 --out "$out/_setup" --seconds 30 >/dev/null &
proxy=$!
for i in $(seq 1 50); do grep -q '^# proxy' "$out/_setup/log.txt" 2>/dev/null && break; sleep 0.1; done
"$run" CnriSiteInfo 127.0.0.1 2641 --write-client-config "$out/_config-root" --mode root >/dev/null 2>&1
kill "$proxy"; wait "$proxy" 2>/dev/null || true

# cap NAME COMMAND...: runs COMMAND with the proxy between it and the server, capturing into $out/NAME.
cap() {
  local name=$1; shift
  mkdir -p "$out/$name"
  python3 "$here/capture-proxy.py" --listen 2641 --upstream 2642 --out "$out/$name" --seconds 60 >/dev/null &
  local proxy=$! i
  for i in $(seq 1 50); do grep -q '^# proxy' "$out/$name/log.txt" 2>/dev/null && break; sleep 0.1; done
  timeout 40 "$@" > "$out/$name/client.txt" 2>&1 || echo "(exit status $?)" >> "$out/$name/client.txt"
  sleep 0.3
  kill "$proxy" 2>/dev/null; wait "$proxy" 2>/dev/null || true
  echo "== $name: $(grep -c '^0' "$out/$name/log.txt" || true) messages" >&2
}
probe=(python3 "$here/handle-probe.py" --port 2641)
qres=(env JAVA_TOOL_OPTIONS=-Dnet.handle.configDir="$out/_config-root" "$dist/bin/hdl-qresolver")
C=(127.0.0.1 2641)

# CNRI's HandleResolver (CnriResolve: sendRequestToSite, the site built by hand, protocol 2.10 as CNRI 9's siteinfo says)
cap cnri-udp-resolve            "$run" CnriResolve "${C[@]}" udp 88.300/B-000001
cap cnri-tcp-resolve            "$run" CnriResolve "${C[@]}" tcp 88.300/B-000001
cap cnri-udp-type-filter        "$run" CnriResolve "${C[@]}" udp 88.300/B-000001 --type URL
cap cnri-udp-index-filter       "$run" CnriResolve "${C[@]}" udp 88.300/B-000001 --index 2 --index 3
cap cnri-udp-type-and-index     "$run" CnriResolve "${C[@]}" udp 88.300/B-000001 --type EMAIL --index 1
cap cnri-udp-type-prefix        "$run" CnriResolve "${C[@]}" udp 88.300/B-000001 --type HS_
cap cnri-udp-lower-case         "$run" CnriResolve "${C[@]}" udp 88.300/b-000001 --type url
cap cnri-udp-not-found          "$run" CnriResolve "${C[@]}" udp 88.300/NOPE
cap cnri-udp-values-not-found   "$run" CnriResolve "${C[@]}" udp 88.300/B-000001 --type NOPE
cap cnri-udp-index-not-found    "$run" CnriResolve "${C[@]}" udp 88.300/B-000001 --index 7
cap cnri-udp-not-homed-rec      "$run" CnriResolve "${C[@]}" udp 88.999/X
cap cnri-udp-not-homed-norec    "$run" CnriResolve "${C[@]}" udp 88.999/X --no-rec
cap cnri-tcp-not-homed-rec      "$run" CnriResolve "${C[@]}" tcp 88.999/X
cap cnri-udp-many               "$run" CnriResolve "${C[@]}" udp 88.300/MANY
cap cnri-tcp-many               "$run" CnriResolve "${C[@]}" tcp 88.300/MANY
cap cnri-udp-digest             "$run" CnriResolve "${C[@]}" udp 88.300/B-000001 --digest
cap cnri-udp-secret             "$run" CnriResolve "${C[@]}" udp 88.300/SECRET
cap cnri-udp-secret-all-values  "$run" CnriResolve "${C[@]}" udp 88.300/SECRET --all-values
cap cnri-udp-prefix-site        "$run" CnriResolve "${C[@]}" udp 0.NA/88.300 --type HS_SITE
cap cnri-udp-prefix-slashless   "$run" CnriResolve "${C[@]}" udp 88.300 --type HS_SITE
cap cnri-udp-prefix-unknown     "$run" CnriResolve "${C[@]}" udp 0.NA/88.999
cap cnri-udp-direct             "$run" CnriResolve "${C[@]}" udp 88.300/B-000001 --direct
cap cnri-udp-certify            "$run" CnriResolve "${C[@]}" udp 88.300/B-000001 --type URL --certify
cap cnri-udp-status-handle      "$run" CnriResolve "${C[@]}" udp 0.SITE/status
cap cnri-tcp-siteinfo           "$run" CnriSiteInfo "${C[@]}"
cap cnri-udp-siteinfo           "$run" CnriSiteInfo "${C[@]}" --udp
# CNRI's command-line tools, as shipped
cap qresolver-global            "${qres[@]}" 88.300/B-000042
cap getsiteinfo                 env JAVA_TOOL_OPTIONS=-Dnet.handle.configDir="$out/_config-root" "$dist/bin/hdl-getsiteinfo" "${C[@]}" "$out/getsiteinfo-site.bin"
# id-pointer-sdk
cap idpointer-resolve           "$run" IdPointerResolve "${C[@]}" 88.300/B-000001
cap idpointer-resolve-repeat    "$run" IdPointerResolve "${C[@]}" 88.300/B-000001 --repeat 3
cap idpointer-type-and-index    "$run" IdPointerResolve "${C[@]}" 88.300/B-000001 --type URL --index 2
cap idpointer-not-found         "$run" IdPointerResolve "${C[@]}" 88.300/NOPE
cap idpointer-not-homed         "$run" IdPointerResolve "${C[@]}" 88.999/X
cap idpointer-auth-string       "$run" IdPointerResolve "${C[@]}" 88.300/B-000001 --auth-string user-token
cap idpointer-v3-repeat         timeout 25 "$run" IdPointerResolve "${C[@]}" 88.300/B-000001 --client v3 --repeat 3
cap idpointer-flow              "$run" IdPointerFlow "${C[@]}" 88.300/B-000002 --type EMAIL
cap idpointer-flow-prefix       "$run" IdPointerFlow "${C[@]}" 0.NA/88.300
# Hand-made requests no client sends (handle-probe.py)
cap probe-unknown-op-tcp        "${probe[@]}" --op 9
cap probe-unknown-op-udp        "${probe[@]}" --op 9 --udp
cap probe-login-op              "${probe[@]}" --op 2001
cap probe-op-zero               "${probe[@]}" --op 0
cap probe-version-3             "${probe[@]}" --version 3.0 --suggest 3.0
cap probe-version-2-11          "${probe[@]}" --version 2.11 --suggest 2.11
cap probe-version-2-0           "${probe[@]}" --version 2.0 --suggest 2.0
cap probe-delete-anonymous      "${probe[@]}" --op 101 --handle 88.300/B-000001
cap probe-home-na-anonymous     "${probe[@]}" --op 300 --handle 0.NA/88.301
cap probe-list-handles          "${probe[@]}" --op 105 --handle 0.NA/88.300
cap probe-trailing-auth-udp     "${probe[@]}" --udp --trailing-auth
cap probe-two-requests-tcp      python3 -c "
import socket, struct, time
def msg(rid):
    h=b'88.300/B-000001'; body=struct.pack('>I',len(h))+h+struct.pack('>II',0,0)
    m=struct.pack('>IiIHBBII',1,0,0x19000000,0xffff,0,0,int(time.time())+3600,len(body))+body+struct.pack('>I',0)
    return struct.pack('>BBBBiiii',2,10,2,10,0,rid,0,len(m))+m
s=socket.create_connection(('127.0.0.1',2641),timeout=5); s.sendall(msg(1)+msg(2)); time.sleep(2)
data=b''
while True:
    c=s.recv(65536)
    if not c: break
    data+=c
print('received', len(data), 'bytes, then the server closed the connection')"

echo "captures in $out" >&2

[ $install = 1 ] || exit 0
fixtures=$repo/tests/Resolver.Server.Tests/Handle/Fixtures
mkdir -p "$fixtures"
rm -f "$fixtures"/*.hex
# pair SCENARIO REQUEST_NAME RESPONSE_NAME: the scenario's first client message (unless REQUEST_NAME is -) and the
# server's messages carrying the same request id (or all of them if none does) (one: RESPONSE_NAME.hex; several UDP datagrams: RESPONSE_NAME-partNN.hex)
pair() {
  local dir=$out/$1 first id n=0 files
  first=$(grep -m1 -- '-c2s.hex' "$dir/log.txt" | cut -d' ' -f1)
  id=$(grep -m1 -- "^$first" "$dir/log.txt" | sed 's/.* request=\([-0-9]*\) .*/\1/')
  [ "$2" = - ] || cp "$dir/$first" "$fixtures/$2.hex"
  files=$(grep -- '-s2c.hex' "$dir/log.txt" | grep -- " request=$id " | cut -d' ' -f1 || true)
  # an answer the server could not tie to the request (request id -1): every server message of the scenario
  [ -n "$files" ] || files=$(grep -- '-s2c.hex' "$dir/log.txt" | cut -d' ' -f1)
  if [ "$(echo "$files" | wc -l)" -eq 1 ]; then
    cp "$dir/$files" "$fixtures/$3.hex"
  else
    for f in $files; do n=$((n + 1)); cp "$dir/$f" "$fixtures/$3-part$(printf %02d $n).hex"; done
  fi
}
# one SCENARIO FILE NAME: a single message by its number in the scenario
one() { cp "$out/$1/$2.hex" "$fixtures/$3.hex"; }
pair cnri-udp-resolve            cnri-resolve-udp-request               cnri-resolve-udp-response
pair cnri-tcp-resolve            cnri-resolve-tcp-request               cnri-resolve-tcp-response
pair cnri-udp-type-filter        cnri-resolve-type-filter-request       cnri-resolve-type-filter-response
pair cnri-udp-index-filter       cnri-resolve-index-filter-request      cnri-resolve-index-filter-response
pair cnri-udp-type-and-index     cnri-resolve-type-and-index-request    cnri-resolve-type-and-index-response
pair cnri-udp-lower-case         cnri-resolve-lower-case-request        cnri-resolve-lower-case-response
pair cnri-udp-not-found          cnri-not-found-request                 cnri-not-found-response
pair cnri-udp-values-not-found   cnri-values-not-found-request          cnri-values-not-found-response
pair cnri-udp-not-homed-rec      cnri-not-responsible-rec-request       cnri-not-responsible-rec-response
pair cnri-udp-not-homed-norec    cnri-not-responsible-norec-request     cnri-not-responsible-norec-response
pair cnri-udp-many               cnri-resolve-many-udp-request          cnri-resolve-many-udp-response
pair cnri-tcp-many               -                                      cnri-resolve-many-tcp-response
pair cnri-udp-digest             cnri-resolve-digest-request            cnri-resolve-digest-response
pair cnri-udp-certify            cnri-resolve-certify-request           cnri-resolve-certify-response
pair cnri-udp-secret-all-values  cnri-resolve-secret-all-values-request cnri-auth-needed-response
pair cnri-udp-prefix-site        cnri-prefix-hs-site-request            cnri-prefix-hs-site-response
pair cnri-udp-direct             cnri-resolve-direct-v2.3-request       cnri-resolve-direct-v2.3-response
pair cnri-tcp-siteinfo           cnri-siteinfo-request                  cnri-siteinfo-response
one  qresolver-global 0001-udp-c2s cnri-qresolver-prefix-request
one  qresolver-global 0004-udp-c2s cnri-qresolver-handle-request
pair idpointer-resolve           idpointer-resolve-request              idpointer-resolve-response
pair idpointer-type-and-index    idpointer-resolve-type-and-index-request idpointer-resolve-type-and-index-response
pair idpointer-auth-string       idpointer-resolve-auth-string-request  idpointer-resolve-auth-string-response
pair idpointer-flow              idpointer-prefix-site-request          idpointer-prefix-site-response
one  idpointer-flow 0005-tcp-c2s idpointer-flow-handle-request
pair probe-unknown-op-tcp        probe-unknown-opcode-request           cnri-unknown-opcode-response
pair probe-op-zero               probe-opcode-zero-request              cnri-opcode-zero-response
pair probe-version-3             probe-version-3.0-request              cnri-version-3.0-response
pair probe-delete-anonymous      probe-delete-anonymous-request         cnri-delete-anonymous-response
echo "installed $(ls "$fixtures"/*.hex | wc -l) fixtures into $fixtures" >&2

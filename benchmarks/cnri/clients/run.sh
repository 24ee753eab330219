#!/usr/bin/env bash
# benchmarks/cnri/clients/run.sh CLASS [ARGS...]: compiles (when a source changed) and runs one of the interop clients.
#
#   Cnri*       (CnriResolve, CnriSiteInfo, CnriSetup) against CNRI Handle.Net 9's own jars ($CNRI_HOME/lib)
#   IdPointer*  (IdPointerResolve, IdPointerFlow) against id-pointer-sdk compiled from source (the git mirror at
#               $SDK_MIRROR, commit c339359) with Debian's jars, hutool-crypto and java-jwt replaced by the
#               compile-time stubs in stubs/ (not packaged in Debian; only the SDK's SM2/SM3/SM4 and JWT paths use them)
#
# Environment: CNRI_HOME (default /opt/cnri/hsj), INTEROP_DIR (default /tmp/interop: compiled classes and the CNRI
# client configuration live there), SDK_MIRROR (default /work/.mirror/teleinfo-dev+id-pointer-sdk/repo),
# IDPOINTER_LOG=1 to see the SDK's own log lines (slf4j-simple at info level).
#
# The CNRI clients run with -Dnet.handle.configDir=$INTEROP_DIR/hdlconfig-client, whose config.dct turns
# auto_update_root_info off: HandleResolver otherwise refreshes its root info from the global Handle root (a public
# address) the first time it sends anything. The clients also pin every request to the HOST:PORT given.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CNRI_HOME=${CNRI_HOME:-/opt/cnri/hsj}
INTEROP_DIR=${INTEROP_DIR:-/tmp/interop}
SDK_MIRROR=${SDK_MIRROR:-/work/.mirror/teleinfo-dev+id-pointer-sdk/repo}
SDK_COMMIT=${SDK_COMMIT:-c339359b968db8e4c401047208239aaeac4134c4}
[ $# -ge 1 ] || { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
class=$1; shift
mkdir -p "$INTEROP_DIR"

# Recompiles into $2 when a source in $1 (a list) is newer than the stamp.
stale() { local stamp=$1; shift; [ ! -f "$stamp" ] || [ -n "$(find "$@" -newer "$stamp" 2>/dev/null | head -1)" ]; }

case $class in
  Cnri*)
    [ -d "$CNRI_HOME/lib" ] || { echo "run.sh: no CNRI distribution at $CNRI_HOME (see benchmarks/cnri/README.md)" >&2; exit 2; }
    cp=$(ls "$CNRI_HOME"/lib/*.jar "$CNRI_HOME"/lib/*/*.jar | tr '\n' ':')
    out=$INTEROP_DIR/classes-cnri
    if stale "$out/.stamp" "$here"/Cnri*.java; then
      mkdir -p "$out"
      javac -nowarn -encoding UTF-8 -d "$out" -cp "$cp" "$here"/Cnri*.java
      touch "$out/.stamp"
    fi
    config=$INTEROP_DIR/hdlconfig-client
    if [ ! -f "$config/config.dct" ]; then
      mkdir -p "$config"
      printf '{\n  "auto_update_root_info" = "no"\n}\n' > "$config/config.dct"
    fi
    exec java -Dnet.handle.configDir="$config" -cp "$out:$cp" "$class" "$@"
    ;;
  IdPointer*)
    J=/usr/share/java
    jars="netty-buffer netty-codec netty-common netty-handler netty-resolver netty-transport gson slf4j-api commons-codec commons-io bcprov bcpkix bcutil caffeine jaxws-api lombok"
    missing=()
    for jar in $jars; do [ -f "$J/$jar.jar" ] || missing+=("$jar"); done
    if [ ${#missing[@]} -gt 0 ]; then
      echo "run.sh: missing ${missing[*]} in $J; install: apt-get install -y libnetty-java libgoogle-gson-java libslf4j-java libcommons-codec-java libcommons-io-java libbcprov-java libbcpkix-java libcaffeine-java liblombok-java libjaxws-api-java" >&2
      exit 2
    fi
    cp=""
    for jar in $jars; do [ "$jar" = lombok ] || cp="$cp:$J/$jar.jar"; done
    sdk=$INTEROP_DIR/sdk-classes
    if [ ! -f "$sdk/.stamp" ]; then
      src=$INTEROP_DIR/sdk-src
      rm -rf "$src" "$sdk"
      mkdir -p "$src" "$sdk"
      git -C "$SDK_MIRROR" archive "$SDK_COMMIT" id-pointer-sdk/src/main | tar -x -C "$src"
      (find "$src/id-pointer-sdk/src/main/java" -name '*.java'; find "$here/stubs" -name '*.java') > "$INTEROP_DIR/sdk-files.txt"
      echo "run.sh: compiling id-pointer-sdk ($(wc -l < "$INTEROP_DIR/sdk-files.txt") files) into $sdk" >&2
      javac -nowarn -encoding UTF-8 -d "$sdk" -cp "${cp#:}:$J/lombok.jar" -processorpath "$J/lombok.jar" @"$INTEROP_DIR/sdk-files.txt"
      cp "$src/id-pointer-sdk/src/main/resources/public_key.pem" "$sdk/"
      touch "$sdk/.stamp"
    fi
    out=$INTEROP_DIR/classes-sdk
    if stale "$out/.stamp" "$here"/IdPointer*.java; then
      mkdir -p "$out"
      javac -nowarn -encoding UTF-8 -d "$out" -cp "$sdk$cp" "$here"/IdPointer*.java
      touch "$out/.stamp"
    fi
    if [ "${IDPOINTER_LOG:-0}" = 1 ]; then
      cp="$cp:$J/slf4j-simple.jar"
      exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.showDateTime=true -cp "$out:$sdk$cp" "$class" "$@"
    fi
    exec java -cp "$out:$sdk$cp" "$class" "$@"
    ;;
  *)
    echo "run.sh: unknown client $class (Cnri* or IdPointer*)" >&2
    exit 2
    ;;
esac

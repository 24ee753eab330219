#!/usr/bin/env bash
# Installs the `resolver` CLI as a command that starts fast: published once, ahead-of-time compiled (ReadyToRun), into
# PREFIX/lib/resolver with PREFIX/bin/resolver linking to it. `dotnet run --project src/Resolver.Cli` builds and checks
# the project on every call (9-10 s each); the installed command starts in a fraction of a second (docs/cli.md).
# Usage: ./install-cli.sh [--prefix DIR]   (default ~/.local; run it again after pulling to update)
set -euo pipefail
cd "$(dirname "$0")"

prefix=${HOME:?}/.local
while [ $# -gt 0 ]; do
  case $1 in
    --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
    -h|--help) sed -n '2,5s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "install-cli.sh: unknown option $1 (usage: ./install-cli.sh [--prefix DIR])" >&2; exit 2 ;;
  esac
done
command -v dotnet >/dev/null || { echo "install-cli.sh: the .NET 10 SDK is required (dotnet not found on PATH)" >&2; exit 2; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
rid=$(dotnet --info | sed -n 's/^ *RID: *//p' | head -n 1)
lib=$prefix/lib/resolver
# Framework-dependent (the installed .NET 10 runtime runs it), for this machine's runtime identifier, so ReadyToRun can
# compile it ahead of time. A clean directory each time: files of an older version must not stay beside the new ones.
# Built apart (--artifacts-path) so the build never rewrites the assemblies of a server or test run going from bin/.
build=$(mktemp -d /tmp/resolver-install.XXXXXX)
trap 'rm -rf "$build"' EXIT
dotnet publish src/Resolver.Cli -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true \
  --artifacts-path "$build" -o "$build/out" -nologo -v quiet
rm -rf "$lib"
mkdir -p "$(dirname "$lib")"
mv "$build/out" "$lib"
mkdir -p "$prefix/bin"
ln -sfn "$lib/resolver" "$prefix/bin/resolver"

echo "installed $prefix/bin/resolver ($("$prefix/bin/resolver" --version))"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "add it to your PATH: export PATH=\"$prefix/bin:\$PATH\"" ;;
esac

#!/usr/bin/env bash
# Runs every test of the solution on a fresh machine: builds warning-free in Release,
# then runs all test projects (unit and end-to-end) with Microsoft.Testing.Platform.
# Services the integration tests need are installed and started here, never assumed.
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! command -v dotnet >/dev/null; then
  echo "test.sh: the .NET 10 SDK is required (dotnet not found on PATH)" >&2
  exit 2
fi

# The integration tests start their own PostgreSQL clusters and redis-server processes on free
# loopback ports (see tests/Resolver.Testing); they need the server binaries installed. The HTTP tests
# drive the server with real Handle clients: curl, and a Python (standard library) client.
missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v curl >/dev/null || missing+=(curl)
command -v python3 >/dev/null || missing+=(python3)
# The benchmark smoke (tests/Resolver.Server.Tests/BenchmarkSmokeTests.cs) runs benchmarks/compare.sh and its peers.
command -v h2load >/dev/null || missing+=(nghttp2-client)
command -v knotd >/dev/null || missing+=(knot)
command -v dnsperf >/dev/null || missing+=(dnsperf)
command -v redis-benchmark >/dev/null || missing+=(redis-tools)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: install ${missing[*]} (apt-get install -y ${missing[*]}) or run as root" >&2
    exit 2
  fi
  echo "test.sh: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# tests/Resolver.Deployment.Tests checks the rendered k8s/ manifests against the Kubernetes schemas with the
# npm packages pinned in k8s/validate/package-lock.json (installed again only when the lock file changed).
# Without npm, or kubectl, those tests fail saying how to install them; they never skip.
if command -v npm >/dev/null; then
  if [ ! -f k8s/validate/node_modules/.package-lock.json ] || [ k8s/validate/package-lock.json -nt k8s/validate/node_modules/.package-lock.json ]; then
    npm ci --prefix k8s/validate --no-audit --no-fund --loglevel=error
  fi
fi

dotnet build Resolver.sln -c Release -warnaserror -nologo -v quiet
dotnet test --solution Resolver.sln -c Release --no-build "$@"

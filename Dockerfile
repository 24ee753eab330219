# syntax=docker/dockerfile:1
# The Resolver image: the server (entrypoint) and the `resolver` CLI, on a chiseled ASP.NET runtime.
#
#   docker build -t resolver:0.1.0 .                                        # or: podman build, buildah bud
#   docker buildx build --platform linux/amd64,linux/arm64 -t REGISTRY/resolver:0.1.0 --push .
#   docker run --read-only --tmpfs /tmp -v resolver-data:/var/lib/resolver -p 5280:5280 -p 5281:5281 resolver:0.1.0
#   kubectl exec deploy/resolver -- resolver --server http://127.0.0.1:5280 health
#
# No HEALTHCHECK: Kubernetes probes grpc.health.v1 itself (k8s/base/server/deployment.yaml), and the
# image has no shell or curl to run one with.

# Build on the build machine's own architecture and cross-publish for the target (no emulation).
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
WORKDIR /src

# Restore first, from the project files alone, so that a source change reuses the restored layer.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Resolver.Core/Resolver.Core.csproj src/Resolver.Core/
COPY src/Resolver.Storage/Resolver.Storage.csproj src/Resolver.Storage/
COPY src/Resolver.Caching/Resolver.Caching.csproj src/Resolver.Caching/
COPY src/Resolver.Protocol/Resolver.Protocol.csproj src/Resolver.Protocol/
COPY src/Resolver.Federation/Resolver.Federation.csproj src/Resolver.Federation/
COPY src/Resolver.Handle/Resolver.Handle.csproj src/Resolver.Handle/
COPY src/Resolver.Server/Resolver.Server.csproj src/Resolver.Server/
COPY src/Resolver.Cli/Resolver.Cli.csproj src/Resolver.Cli/
RUN dotnet restore src/Resolver.Server/Resolver.Server.csproj -a $TARGETARCH \
 && dotnet restore src/Resolver.Cli/Resolver.Cli.csproj -a $TARGETARCH

COPY protos/ protos/
COPY src/ src/
# Framework-dependent: the runtime comes from the base image, so the image stays small.
RUN dotnet publish src/Resolver.Server/Resolver.Server.csproj -c Release -a $TARGETARCH --no-restore --self-contained false -o /out/server \
 && dotnet publish src/Resolver.Cli/Resolver.Cli.csproj -c Release -a $TARGETARCH --no-restore --self-contained false -o /out/cli \
 && mkdir -p /out/data

# Chiseled: no shell, no package manager, a non-root user (app, uid 1654). The -extra variant keeps ICU:
# identifiers are normalised to NFC and checked by Unicode category (SPEC §2), which invariant mode cannot do.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled-extra AS runtime
WORKDIR /app
COPY --from=build /out/server /app/server
COPY --from=build /out/cli /app/cli
# The one directory the server writes (SQLite file, generated admin token); a volume in Kubernetes,
# so the root filesystem can be read-only.
COPY --from=build --chown=1654:1654 /out/data /var/lib/resolver
ENV PATH=/app/cli:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    RESOLVER_DATA_DIR=/var/lib/resolver \
    RESOLVER_GRPC_URL=http://0.0.0.0:5280 \
    RESOLVER_HTTP_URL=http://0.0.0.0:5281
VOLUME /var/lib/resolver
# gRPC (h2c), HTTP/1.1 (REST, /metrics, /healthz), TLS when --https-url is set, and the Handle protocol on
# TCP and UDP once RESOLVER_HANDLE_URL=hdl://0.0.0.0:2641 and RESOLVER_HANDLE_SITE_ADDRESS are set (on loopback by default).
EXPOSE 5280 5281 5443 2641/tcp 2641/udp
# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 1654
ENTRYPOINT ["/app/server/Resolver.Server"]

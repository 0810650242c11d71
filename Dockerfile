# DigitalTwin silo image. At the repository root because the build needs the whole source tree as its context and
# `docker build .` / `podman build .` is where anyone looks first; deploy/ holds the Kubernetes manifests that run it.
#
#   docker build -t digitaltwin/silo:0.16.0 .          # from the official .NET images (needs mcr.microsoft.com)
#   deploy/image/build-local.sh                         # without a registry: local Debian bases, podman, checks
#
# The runtime stage has the ASP.NET Core runtime only (no SDK), runs as uid 10001 and writes nothing outside /tmp, so
# it runs with a read-only root filesystem (Kubernetes: readOnlyRootFilesystem, an emptyDir on /tmp).
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${SDK_IMAGE} AS build
# Empty: restore from nuget.org. A folder (mounted with `--volume`): restore from it, for a build without the network.
ARG NUGET_SOURCE=
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ src/
RUN if [ -n "$NUGET_SOURCE" ]; then dotnet restore src/Silo/Silo.csproj --source "$NUGET_SOURCE"; \
    else dotnet restore src/Silo/Silo.csproj; fi
# The dashboard's bundle (src/Dashboard/wwwroot) is built on the host by any `dotnet build` of the silo (it needs
# Node.js and npm, which the SDK image lacks) and comes in with src/; DashboardBundle=false embeds it as it is.
RUN dotnet publish src/Silo/Silo.csproj -c Release --no-restore -o /app -p:UseAppHost=false -p:DashboardBundle=false

FROM ${RUNTIME_IMAGE} AS runtime
WORKDIR /app
COPY --from=build --chown=0:0 /app ./
# HOME and TMPDIR on /tmp: ASP.NET Core keeps nothing it must find again there (data protection keys stay in memory).
ENV DOTNET_ENVIRONMENT=Production \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1 \
    HOME=/tmp \
    TMPDIR=/tmp
# HTTP (API, /healthz, /readyz, /metrics), MQTT, MQTT over TLS, Orleans silo-to-silo and gateway.
EXPOSE 8080 1883 8883 11111 30000
USER 10001:10001
ENTRYPOINT ["dotnet", "/app/DigitalTwin.Silo.dll"]

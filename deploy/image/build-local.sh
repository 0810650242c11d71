#!/usr/bin/env bash
# Builds the silo image from the repository's Dockerfile without any container registry, runs it and checks it:
#   1. a minimal Debian bookworm root filesystem from Debian's packages (mmdebstrap), with the ASP.NET Core runtime's
#      native dependencies, imported into podman (`podman import`);
#   2. two local base images on it: an "sdk" one with this machine's .NET SDK (/usr/share/dotnet) and an "aspnet" one
#      with only its ASP.NET Core and .NET runtimes, standing in for mcr.microsoft.com/dotnet/sdk and aspnet;
#   3. `podman build` of the Dockerfile with SDK_IMAGE/RUNTIME_IMAGE pointing at them, restoring from this machine's
#      NuGet package folder (mounted read-only, no network needed);
#   4. `podman run --read-only` as uid 10001: /healthz and /readyz answer, a car publishes over MQTT at QoS 1 and its
#      twin shows it over HTTP, then `podman stop` (SIGTERM) drains the silo and it exits 0.
# Needs root and Debian's podman, runc and mmdebstrap (installed if missing). Heavy: run it by hand, not in CI.
# Usage: deploy/image/build-local.sh [tag]        (default tag: the base kustomization's newTag)
#        REUSE_BASES=1 deploy/image/build-local.sh   (keep the Debian and .NET base images of an earlier run)
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
tag=${1:-$(awk '/newTag:/ {gsub(/"/, "", $2); print $2}' deploy/base/kustomization.yaml)}
image=localhost/digitaltwin/silo:$tag
suite=bookworm
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime_version=$(ls "$dotnet_root/shared/Microsoft.AspNetCore.App" | sort -V | tail -1)

need=()
command -v podman >/dev/null || need+=(podman)
command -v runc >/dev/null || need+=(runc)
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v mosquitto_pub >/dev/null || need+=(mosquitto-clients)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

work=$(mktemp -d)
container=digitaltwin-image-check-$$
cleanup() {
  podman rm -f "$container" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# podman as root without systemd: runc, cgroupfs, and fixed open-files and process limits: podman's defaults for root
# are higher than runc may set here ("error setting rlimit ... operation not permitted"); 10,000 and 4,096 are accepted.
# The silo sizes its MQTT capacity from the open-files limit.
cat >"$work/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=10000:10000", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
export CONTAINERS_CONF=$work/containers.conf

step() { printf '\n== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }
started=$(date +%s)

if [ "${REUSE_BASES:-0}" = 1 ] && podman image exists "localhost/digitaltwin/dotnet-sdk:$runtime_version" \
  && podman image exists "localhost/digitaltwin/dotnet-aspnet:$runtime_version"; then
  step "reusing the local base images (REUSE_BASES=1)"
else
step "Debian $suite root filesystem (mmdebstrap, minbase + the runtime's native dependencies)"
# InvariantGlobalization is on, so no libicu. libssl3: TLS (MQTT over TLS, PostgreSQL, Kafka); libgssapi-krb5-2:
# Kerberos for Npgsql if asked; zlib1g, libstdc++6: the runtime and librdkafka; tzdata, ca-certificates.
mmdebstrap --quiet --variant=minbase --include=ca-certificates,libssl3,libgssapi-krb5-2,zlib1g,libstdc++6,tzdata \
  "$suite" "$work/rootfs.tar" http://deb.debian.org/debian
podman import --quiet "$work/rootfs.tar" "localhost/digitaltwin/debian:$suite" >/dev/null
ls -l --block-size=M "$work/rootfs.tar" | awk '{print "root filesystem: " $5}'
rm -f "$work/rootfs.tar"

step "base images: sdk (this machine's .NET SDK) and aspnet (runtime $runtime_version only)"
mkdir -p "$work/sdk" "$work/aspnet/dotnet/shared"
cp -a "$dotnet_root" "$work/sdk/dotnet"
cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$dotnet_root/LICENSE.txt" "$work/aspnet/dotnet/" 2>/dev/null || cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$work/aspnet/dotnet/"
for framework in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
  mkdir -p "$work/aspnet/dotnet/shared/$framework"
  cp -a "$dotnet_root/shared/$framework/$runtime_version" "$work/aspnet/dotnet/shared/$framework/"
done
for flavour in sdk aspnet; do
  cat >"$work/$flavour/Containerfile" <<CONTAINERFILE
FROM localhost/digitaltwin/debian:$suite
COPY dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV DOTNET_ROOT=/usr/share/dotnet DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
CONTAINERFILE
  # The SDK's own tools need ICU, which the base leaves out (the app runs with invariant globalization).
  if [ "$flavour" = sdk ]; then echo "ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1" >>"$work/$flavour/Containerfile"; fi
  podman build --quiet -t "localhost/digitaltwin/dotnet-$flavour:$runtime_version" "$work/$flavour" >/dev/null
done
rm -rf "$work/sdk" "$work/aspnet"
fi

step "podman build of ./Dockerfile on the local bases"
build_started=$(date +%s)
podman build \
  --build-arg "SDK_IMAGE=localhost/digitaltwin/dotnet-sdk:$runtime_version" \
  --build-arg "RUNTIME_IMAGE=localhost/digitaltwin/dotnet-aspnet:$runtime_version" \
  --build-arg NUGET_SOURCE=/nuget \
  --volume "${NUGET_PACKAGES:-$HOME/.nuget/packages}:/nuget:ro" \
  --network none \
  -t "$image" -f Dockerfile . >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
echo "built $image in $(( $(date +%s) - build_started )) s"
podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "digitaltwin/(silo|dotnet-aspnet|dotnet-sdk|debian)" | sort
echo "runs as: $(podman image inspect --format '{{.Config.User}}' "$image"), entrypoint: $(podman image inspect --format '{{.Config.Entrypoint}}' "$image")"
dotnet_dirs=$(podman run --rm --entrypoint /bin/ls "$image" /usr/share/dotnet /usr/share/dotnet/shared | tr '\n' ' ')
case " $dotnet_dirs " in
  *" sdk "*) echo "FAIL: the runtime image contains an SDK: $dotnet_dirs"; exit 1 ;;
  *" Microsoft.AspNetCore.App "*) echo "no SDK in the runtime image: ls /usr/share/dotnet /usr/share/dotnet/shared -> $dotnet_dirs" ;;
  *) echo "FAIL: no ASP.NET Core runtime in the image: $dotnet_dirs"; exit 1 ;;
esac

step "podman run --read-only as uid 10001"
key=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
http=$((20000 + RANDOM % 10000)); mqtt=$((http + 1)); silo=$((http + 2)); gateway=$((http + 3))
podman run -d --name "$container" --read-only --network host \
  -e "Auth__SigningKey=$key" -e "Urls=http://127.0.0.1:$http" -e "Mqtt__Port=$mqtt" -e Mqtt__Host=127.0.0.1 \
  -e "Orleans__SiloPort=$silo" -e "Orleans__GatewayPort=$gateway" -e Drain__DeregistrationDelay=00:00:01 \
  "$image" >/dev/null
for _ in $(seq 1 120); do
  podman logs "$container" 2>&1 | grep -q "DigitalTwin silo ready" && break
  [ "$(podman inspect --format '{{.State.Running}}' "$container")" = true ] || { podman logs "$container"; exit 1; }
  sleep 1
done
podman logs "$container" 2>&1 | grep -o "DigitalTwin silo ready.*"
echo "process: $(podman top "$container" user pid args | tail -1)"
if podman exec "$container" /bin/sh -c 'touch /app/probe' 2>/dev/null; then echo "FAIL: /app is writable"; exit 1; fi
echo "root filesystem read-only: touch /app/probe refused"
echo "GET /healthz -> $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http/healthz")"
echo "GET /readyz  -> $(curl -s -w ' %{http_code}' "http://127.0.0.1:$http/readyz")"

step "MQTT publish at QoS 1, read back over HTTP"
vin=WDD2030461A000042
car_token=$(podman run --rm "$image" token --sub "$vin" --role vehicle "--Auth:SigningKey=$key")
ops_token=$(podman run --rm "$image" token --sub ops --role operator "--Auth:SigningKey=$key")
mosquitto_pub -V mqttv5 -h 127.0.0.1 -p "$mqtt" -i "$vin" -u "$vin" -P "$car_token" -q 1 -d -t "vehicles/$vin/telemetry" \
  -m "{\"ts\":$(date +%s%3N),\"seq\":1,\"signals\":{\"Vehicle.Speed\":87.5}}" 2>&1 | grep -E "PUBACK|CONNACK"
twin=$(curl -s -H "Authorization: Bearer $ops_token" "http://127.0.0.1:$http/api/v1/vehicles/$vin")
echo "GET /api/v1/vehicles/$vin -> ${twin:0:160}..."
echo "$twin" | grep -q '"Vehicle.Speed":{"value":87.5' || { echo "FAIL: the twin does not show the publish"; exit 1; }
metrics=$(curl -s "http://127.0.0.1:$http/metrics" | grep -E '^digitaltwin_mqtt_(sessions|capacity)')
echo "$metrics"

step "podman stop (SIGTERM) with a car connected: drain and exit"
timeout 90 mosquitto_sub -V mqttv5 -h 127.0.0.1 -p "$mqtt" -i "$vin" -u "$vin" -P "$car_token" -d -t "vehicles/$vin/commands" >"$work/sub.log" 2>&1 &
sub=$!
for _ in $(seq 1 50); do grep -q SUBACK "$work/sub.log" && break; sleep 0.2; done
stop_started=$(date +%s%3N)
podman stop -t 60 "$container" >/dev/null
echo "stopped in $(( $(date +%s%3N) - stop_started )) ms, exit code $(podman inspect --format '{{.State.ExitCode}}' "$container")"
podman logs "$container" 2>&1 | grep -E "Drain|drained" | sed 's/^ *//'
wait $sub || true
echo "the car (mosquitto_sub -V mqttv5): $(grep -E 'DISCONNECT' "$work/sub.log" | tr '\n' ' ')"
grep -q "Received DISCONNECT (139)" "$work/sub.log" || { echo "FAIL: the car got no DISCONNECT 0x8B"; exit 1; }
[ "$(podman inspect --format '{{.State.ExitCode}}' "$container")" = 0 ] || { echo "FAIL: non-zero exit"; exit 1; }

printf '\nOK: %s built and checked in %s s\n' "$image" "$(( $(date +%s) - started ))"

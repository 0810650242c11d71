#!/usr/bin/env bash
# Resident memory of one silo per connected car (an MQTT 5 connection and its twin), for sizing the pods' memory.
# Starts a Release silo (in-memory storage, the embedded defaults), reads its VmRSS idle, connects N cars with the
# simulator (one telemetry document each, then idle), reads VmRSS again, and prints the difference per car.
# Usage: deploy/measure/memory-per-car.sh [cars=5000]
set -euo pipefail
cd "$(dirname "$0")/../.."
cars=${1:-5000}
dotnet build -c Release -v q src/Silo >/dev/null
dotnet build -c Release -v q src/Simulator >/dev/null
work=$(mktemp -d)
http=$((20000 + RANDOM % 10000)); mqtt=$((http + 1)); silo=$((http + 2)); gw=$((http + 3))
DOTNET_ENVIRONMENT=Development dotnet src/Silo/bin/Release/net10.0/DigitalTwin.Silo.dll --urls=http://127.0.0.1:$http \
  --Mqtt:Port=$mqtt --Mqtt:Host=127.0.0.1 --Orleans:SiloPort=$silo --Orleans:GatewayPort=$gw >"$work/silo.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do grep -q "silo ready" "$work/silo.log" && break; sleep 1; done
rss() { awk '/VmRSS/ {print $2}' /proc/$pid/status; }
gc() { curl -s "http://127.0.0.1:$http/metrics" | awk '/^dotnet_gc_last_collection_heap_size_bytes/ {s+=$2} END {print s+0}'; }
sleep 5
before=$(rss)
# rate 0.02 msg/s: one document per car at the start, then the cars stay connected and quiet.
dotnet src/Simulator/bin/Release/net10.0/DigitalTwin.Simulator.dll --port $mqtt --cars "$cars" --rate 0.02 --duration 40 --quiet >"$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 1 120); do
  n=$(curl -s "http://127.0.0.1:$http/metrics" | awk '/^digitaltwin_mqtt_sessions/ {print $2}')
  [ "${n:-0}" -ge "$cars" ] && break; sleep 1
done
sleep 15
after=$(rss)
sessions=$(curl -s "http://127.0.0.1:$http/metrics" | awk '/^digitaltwin_mqtt_sessions/ {print $2}')
wait $sim || true
echo "cars connected: $sessions"
echo "VmRSS idle: $before kB; with $cars cars: $after kB"
echo "per car (connection + twin): $(( (after - before) * 1024 / cars )) B"

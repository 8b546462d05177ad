#!/usr/bin/env bash
# Transport and threading comparison for our runner (README, "Transport and threads"): the JDK's
# java.nio unix sockets vs jnr-unixsocket, and platform threads (JDK 17) vs virtual threads (JDK 25,
# A6_THREADS=virtual), each on the same plugins jar and the same load generator.
# Prints start → socket ready (median of 5), RSS after start and after the load, and calls/s, p99
# and server CPU per call for noop and say at 16, 64 and 256 connections.
# usage: benchmarks/transports.sh [measure-seconds=5]        (needs `mvn install` of the project first)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
MEASURE="${1:-5}"
JDK17="${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
JDK25="${A6_JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
PLUGINS="$HERE/target/a6-bench-plugins.jar"
TOOL="$HERE/target/benchmarks.jar"
[ -f "$PLUGINS" ] && [ -f "$TOOL" ] || (cd "$HERE" && mvn -q -B -DskipTests install)
JNR_CP="$(cd "$ROOT/sdk-transport-jnr" && mvn -q -B -o dependency:build-classpath -Dmdep.includeScope=runtime \
  -Dmdep.outputFile=/dev/stdout 2>/dev/null):$ROOT/sdk-transport-jnr/target/sdk-transport-jnr-0.1.0-SNAPSHOT.jar"
JNR_BYTES=0
for j in $(echo "$JNR_CP" | tr ':' '\n' | grep -E 'jnr|jffi|asm|sdk-transport-jnr'); do
  JNR_BYTES=$((JNR_BYTES + $(stat -c %s "$j")))
done

rss() { awk '/VmRSS/{printf "%.1f", $2/1024}' "/proc/$1/status"; }

run_variant() { # name java env-assignments... -- java args...
  local name="$1" java="$2"; shift 2
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  local starts=() sock pid
  for i in 1 2 3 4 5; do
    sock=$(mktemp -u /tmp/a6-tr.XXXXXX.sock)
    local t0; t0=$(date +%s%N)
    env "${envs[@]}" APISIX_LISTEN_ADDRESS="unix:$sock" A6_LOG_LEVEL=WARN "$java" "$@" &
    pid=$!
    while ! [ -S "$sock" ]; do sleep 0.002; done
    starts+=($(( ($(date +%s%N) - t0) / 1000000 )))
    if [ "$i" -lt 5 ]; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  done
  local start; start=$(printf '%s\n' "${starts[@]}" | sort -n | sed -n 3p)
  sleep 1
  local rss0; rss0=$(rss "$pid")
  local cells=""
  for scenario in noop say; do
    for c in 16 64 256; do
      local line
      line=$("$JDK17/bin/java" -cp "$TOOL" io.github.a6sdk.benchmarks.load.LoadGen --socket "$sock" --pid "$pid" \
        --scenario "$scenario" --connections "$c" --warmup 2 --measure "$MEASURE" | tail -1)
      cells="$cells| $(echo "$line" | sed -E 's/.*: ([0-9]+) calls\/s.*p99 ([0-9.]+) µs.*cpu ([0-9.]+) µs\/call.*/\1 \/ \2 \/ \3/') "
    done
  done
  local rss1; rss1=$(rss "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "| $name | $start | $rss0 | $rss1 $cells|"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "jnr-unixsocket and its dependencies add $JNR_BYTES bytes of jars (jnr-ffi, jffi with its native libraries, asm, ...) to a plugins jar of $(stat -c %s "$PLUGINS") bytes"
echo
echo "Cells: calls/s / p99 µs / server CPU µs per call (${MEASURE} s measured after 2 s warm-up)."
echo
echo "| variant | start ms (median of 5) | RSS after start MB | RSS after load MB | noop 16 | noop 64 | noop 256 | say 16 | say 64 | say 256 |"
echo "|---|---:|---:|---:|---|---|---|---|---|---|"
run_variant "JDK 17, jdk transport, platform threads (default)" "$JDK17/bin/java" A6_THREADS=platform -- -jar "$PLUGINS"
run_variant "JDK 17, jnr-unixsocket, platform threads" "$JDK17/bin/java" A6_THREADS=platform -- \
  -cp "$PLUGINS:$JNR_CP" io.github.a6sdk.transport.jnr.JnrMain
if [ -x "$JDK25/bin/java" ]; then
  run_variant "JDK 25, jdk transport, platform threads" "$JDK25/bin/java" A6_THREADS=platform -- -jar "$PLUGINS"
  run_variant "JDK 25, jdk transport, virtual threads" "$JDK25/bin/java" A6_THREADS=virtual -- -jar "$PLUGINS"
fi

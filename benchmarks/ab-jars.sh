#!/usr/bin/env bash
# Several plugin jars (builds) on the same cells, alternating in one sitting: each round starts
# every jar fresh, with the README's recommended JVM flags (plus $EXTRA_FLAGS), and runs LoadGen on
# each cell; prints calls/s, server CPU per call, and the runner's threads and RSS after the cell.
# A runner's place in the round matters on a noisy machine: list the same jar twice (A/A) to see how much.
#
# usage: benchmarks/ab-jars.sh ROUNDS "label=JAR label=JAR ..." "scenario:clients[:new|:loops] ..."
#   e.g. benchmarks/ab-jars.sh 3 "now=plugins.jar before=/tmp/old/plugins.jar" "say:16 say:64 noop:64 say:16:new"
#   :new  a new connection per call;  :loops  pooled, driven by two client event loops (as two nginx
#   workers drive theirs; LoadGen --client-loops 2). A JAR that ends in .sh is a baseline's run.sh
#   (e.g. ../shared/baseline/go-runner/run.sh), started as "run.sh SOCKET" with no JVM flags.
# env: EXTRA_FLAGS (more JVM flags for the runners), JAVA_HOME, SKIP_BUILD=1, WARMUP and MEASURE
#      (seconds per cell, default 2 and 4; the JIT is still compiling after 2 s: WARMUP=10 for steady
#      state); variables such as A6_DEDICATED_THREADS are passed on to the runners.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
[ $# -eq 3 ] || { sed -n 2,14p "$0" >&2; exit 2; }
ROUNDS=$1; JARS=$2; CELLS=$3
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$HERE/target/benchmarks.jar" ]; then
  (cd "$HERE" && mvn -q -B -DskipTests install) >&2
fi
FLAGS="-XX:+UseSerialGC -Xms16m -Xmx32m -Xmn8m -Xss256k -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=32m -XX:CICompilerCount=2 ${EXTRA_FLAGS:-}"
DIR="$(mktemp -d)"
trap 'rm -rf "$DIR"' EXIT
for r in $(seq "$ROUNDS"); do
  for lj in $JARS; do
    label=${lj%%=*}; jar=${lj#*=}; sock="$DIR/$label.sock"
    if [[ "$jar" == *.sh ]]; then
      APISIX_CONF_EXPIRE_TIME=3600 "$jar" "$sock" > "$DIR/$label.log" 2>&1 &
    else
      # shellcheck disable=SC2086
      APISIX_LISTEN_ADDRESS="unix:$sock" APISIX_CONF_EXPIRE_TIME=3600 "$JAVA" $FLAGS -jar "$jar" > "$DIR/$label.log" 2>&1 &
    fi
    pid=$!
    for _ in $(seq 200); do [ -S "$sock" ] && break; sleep 0.05; done
    [ -S "$sock" ] || { echo "$label did not bind; its log:" >&2; cat "$DIR/$label.log" >&2; exit 1; }
    for c in $CELLS; do
      IFS=: read -r scenario clients new <<< "$c"
      extra=()
      case "${new:-}" in
        new) extra=(--new-connection-per-call) ;;
        loops) extra=(--client-loops 2) ;;
        "") ;;
        *) echo "unknown cell option :$new in $c (take :new or :loops)" >&2; exit 2 ;;
      esac
      out=$("$JAVA" -cp "$HERE/target/benchmarks.jar" io.github.a6sdk.benchmarks.load.LoadGen --socket "$sock" --pid "$pid" \
        --scenario "$scenario" --connections "$clients" --warmup "${WARMUP:-2}" --measure "${MEASURE:-4}" "${extra[@]}" 2>&1 | grep "calls/s" | tail -1)
      echo "round $r | $label | $c | $out | threads $(ls /proc/$pid/task | wc -l) | RSS $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done

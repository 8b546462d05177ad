#!/usr/bin/env bash
# A/B one environment setting of our runner on one load cell, alternating A (without it) and B (with
# it) in one sitting, each run a fresh runner with the README's recommended flags; prints each run
# and the B/A ratio of calls/s and of server CPU per call, per pair and over all pairs (median).
#
# usage: benchmarks/ab-env.sh [--pairs N] [--warmup S] [--measure S] [--runner "JAVA ARGS"] NAME=VALUE... [-- LoadGen flags]
#   default cell: --scenario say --connections 16 --new-connection-per-call
#   default runner: -jar benchmarks/target/a6-bench-plugins.jar (the JDK transport)
#   example: benchmarks/ab-env.sh --pairs 4 A6_ALLOWED_PEERS=user:nobody
#   jnr-unixsocket: --runner "-cp PLUGINS_JAR:JNR_CLASSPATH io.github.a6sdk.transport.jnr.JnrMain" (see transports.sh)
# env: JAVA_HOME (JDK for the runner and the load generator), SKIP_BUILD=1 (reuse built jars).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
FLAGS="-XX:+UseSerialGC -Xms16m -Xmx32m -Xmn8m -Xss256k -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=32m -XX:CICompilerCount=2"
PAIRS=4; WARMUP=2; MEASURE=4; RUNNER_ARGS="-jar $HERE/target/a6-bench-plugins.jar"
SETTINGS=(); LOAD=()
while [ $# -gt 0 ]; do
  case "$1" in
    --pairs) PAIRS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --measure) MEASURE="$2"; shift 2 ;;
    --runner) RUNNER_ARGS="$2"; shift 2 ;;
    --) shift; LOAD=("$@"); break ;;
    *=*) SETTINGS+=("$1"); shift ;;
    *) echo "unknown argument $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done
[ ${#SETTINGS[@]} -gt 0 ] || { echo "name at least one NAME=VALUE for B" >&2; exit 2; }
[ ${#LOAD[@]} -gt 0 ] || LOAD=(--scenario say --connections 16 --new-connection-per-call)
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$HERE/target/benchmarks.jar" ]; then
  (cd "$HERE" && mvn -q -B -DskipTests install) >&2
fi
WORK="$(mktemp -d)"
RUNNER=""
trap '[ -n "$RUNNER" ] && kill "$RUNNER" 2>/dev/null; rm -rf "$WORK"' EXIT

# one run: $1 = A or B; prints "calls/s cpu-µs/call"
run() {
  local sock="$WORK/r.sock" env=(APISIX_LISTEN_ADDRESS="unix:$WORK/r.sock" A6_EXIT_WITH_PARENT=false)
  [ "$1" = B ] && env+=("${SETTINGS[@]}")
  env "${env[@]}" "$JAVA" $FLAGS $RUNNER_ARGS >"$WORK/runner-$1.log" 2>&1 &
  RUNNER=$!
  for _ in $(seq 1 200); do [ -S "$sock" ] && break; sleep 0.05; done
  [ -S "$sock" ] || { cat "$WORK/runner-$1.log" >&2; echo "runner $1 did not start" >&2; exit 1; }
  local out
  out=$("$JAVA" -cp "$HERE/target/benchmarks.jar" io.github.a6sdk.benchmarks.load.LoadGen --socket "$sock" \
      --pid "$RUNNER" --warmup "$WARMUP" --measure "$MEASURE" "${LOAD[@]}")
  kill "$RUNNER"; wait "$RUNNER" 2>/dev/null || true; RUNNER=""
  echo "  $1: $out" >&2
  echo "     runner: $(grep -m1 ' listening on ' "$WORK/runner-$1.log" | sed 's/.*; ready/ready/')" >&2
  case "$out" in *" 0 errors"*) ;; *) echo "errors in run $1" >&2; exit 1 ;; esac
  echo "$out" | sed -E 's/.*: ([0-9]+) calls\/s.*cpu ([0-9.]+) µs\/call.*/\1 \2/'
}

echo "runner: ${RUNNER_ARGS##* }; A: defaults; B: ${SETTINGS[*]}; cell: ${LOAD[*]}; $PAIRS pairs, ${WARMUP} s warm-up + ${MEASURE} s each" >&2
: >"$WORK/pairs"
for i in $(seq 1 "$PAIRS"); do
  run A >"$WORK/a"; run B >"$WORK/b"
  read -r a acpu <"$WORK/a"; read -r b bcpu <"$WORK/b"
  echo "$a $acpu $b $bcpu" >>"$WORK/pairs"
  awk -v i="$i" '{ printf "pair %d: calls/s A %d, B %d, B/A %.3f; CPU µs/call A %.2f, B %.2f, B/A %.3f\n", i, $1, $3, $3/$1, $2, $4, $4/$2 }' \
    <(tail -1 "$WORK/pairs")
done
median() { sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
RATIO=$(awk '{ print $3 / $1 }' "$WORK/pairs" | median)
CPU=$(awk '{ print $4 / $2 }' "$WORK/pairs" | median)
SUMS=$(awk '{ sa += $1; sb += $3 } END { printf "%.3f", sb / sa }' "$WORK/pairs")
echo "B/A over $PAIRS pairs: calls/s median $RATIO (sum of B / sum of A $SUMS), server CPU per call median $CPU"

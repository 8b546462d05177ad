#!/usr/bin/env bash
# JMH micro-benchmarks of the runtime (codec per RPC type, generated config parser vs Gson, whole
# call in memory), always with the GC profiler so that B/op is reported next to ns/op.
# usage: benchmarks/jmh.sh [JMH options and benchmark regexps]   e.g. jmh.sh CallBench -p scenario=say
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$HERE/target/benchmarks.jar" ]; then
  (cd "$HERE" && mvn -q -B -DskipTests install) >&2
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" -jar "$HERE/target/benchmarks.jar" -prof gc "$@"

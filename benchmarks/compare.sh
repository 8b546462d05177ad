#!/usr/bin/env bash
# Side-by-side benchmark: our runner vs the official Java runner vs the Go runner, on one client,
# over real unix sockets. Builds what it needs, then prints the markdown tables (also written to
# benchmarks/target/compare.md). A default run takes about 15 minutes on 2 cores.
#
# usage: benchmarks/compare.sh [Compare flags...]
#   --warmup S --measure S            per main cell (default 3 + 7)
#   --scale-warmup S --scale-measure S per scaling cell (default 2 + 3)
#   --conns 1,16,64  --scenarios noop,say,rewrite,vars,respmod  --runners ours,official,go
#   --variants tuned,jdk25  --tuned-flags "-XX:+UseSerialGC -Xmx32m ..."  --jdk25 /path/to/jdk
#   --rss-calls 1000000  --start-runs 5  --no-scaling
#   --only overlap                    only the restart cells (issue 12): about 2 minutes
#   --no-overlap                      leave the restart cells out of the full run
#   --overlap-delays 0.1,1 --overlap-warmup 2 --overlap-after 6 --overlap-threads 16 --overlap-workers 2
#   --overlap-routes 32 --overlap-fail-pause-ms 1
# env: A6_BASELINE (default: ../shared/baseline beside the repository), JAVA_HOME (JDK for our runner
#      and the official one), SKIP_BUILD=1 (reuse built jars).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
BASELINE="${A6_BASELINE:-$(cd "$ROOT/.." && pwd)/shared/baseline}"
[ -d "$BASELINE/official-runner" ] || { echo "baseline runners not found at $BASELINE (set A6_BASELINE)" >&2; exit 2; }
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JDK25="${A6_JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}"

# 1. our plugin jar and the benchmark tool (this module; sdk-* come from the local repository or the reactor)
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$HERE/target/benchmarks.jar" ] || [ ! -f "$HERE/default-plugins/target/a6-bench-default-plugins.jar" ]; then
  echo "building benchmarks (our plugins jar + load generator)..." >&2
  (cd "$HERE" && mvn -q -B -DskipTests install && cd default-plugins && mvn -q -B -DskipTests install) >&2
fi

# 2. the official runner: shared/ is read-only, so build a copy in a temp dir (reused between runs)
OFFICIAL_DIR="${TMPDIR:-/tmp}/a6-bench-official-runner"
if [ ! -f "$OFFICIAL_DIR/target/a6-java-runner-peer.jar" ] || [ "$BASELINE/official-runner/pom.xml" -nt "$OFFICIAL_DIR/target/a6-java-runner-peer.jar" ]; then
  echo "building the official runner in $OFFICIAL_DIR..." >&2
  rm -rf "$OFFICIAL_DIR"; mkdir -p "$OFFICIAL_DIR"
  cp -r "$BASELINE/official-runner/." "$OFFICIAL_DIR/"
  chmod -R u+w "$OFFICIAL_DIR"
  rm -rf "$OFFICIAL_DIR/target"
  (cd "$OFFICIAL_DIR" && ./build.sh) >&2
fi

# 3. the Go runner is a prebuilt binary
GO_DIR="$BASELINE/go-runner"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $("$JAVA" -version 2>&1 | head -1)" >&2
exec "$JAVA" -cp "$HERE/target/benchmarks.jar" io.github.a6sdk.benchmarks.load.Compare \
  --ours-jar "$HERE/target/a6-bench-plugins.jar" --ours-default-jar "$HERE/default-plugins/target/a6-bench-default-plugins.jar" \
  --official-run "$OFFICIAL_DIR/run.sh" --official-jar "$OFFICIAL_DIR/target/a6-java-runner-peer.jar" \
  --go-run "$GO_DIR/run.sh" --go-binary "$GO_DIR/go-runner-peer" \
  --java "$JAVA" --jdk25 "$JDK25" \
  --out "$HERE/target/compare.md" "$@"

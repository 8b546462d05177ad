#!/usr/bin/env bash
# The runner's RSS after the cells of issue 19 (pooled, hundreds of connections, 256 blocking calls,
# new connection per call) and 12 s idle, with the README's recommended JVM flags plus $EXTRA_FLAGS,
# and where it goes: anonymous against file-backed pages, and the largest mappings (/proc/PID/smaps).
#
# usage: benchmarks/rss.sh PLUGINS_JAR [NAME=VALUE ...]   (NAME=VALUE: environment for the runner)
#   e.g. EXTRA_FLAGS="-XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=1000" benchmarks/rss.sh \
#          benchmarks/default-plugins/target/a6-bench-default-plugins.jar
# env: EXTRA_FLAGS, JAVA_HOME. Needs benchmarks/target/benchmarks.jar (mvn install) and python3.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
[ $# -ge 1 ] || { sed -n 2,9p "$0" >&2; exit 2; }
JAR=$1; shift
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
FLAGS="-XX:+UseSerialGC -Xms16m -Xmx32m -Xmn8m -Xss256k -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=32m -XX:CICompilerCount=2 ${EXTRA_FLAGS:-}"
DIR="$(mktemp -d)"
SOCK="$DIR/runner.sock"
# shellcheck disable=SC2086
env "$@" APISIX_LISTEN_ADDRESS="unix:$SOCK" APISIX_CONF_EXPIRE_TIME=3600 "$JAVA" $FLAGS -jar "$JAR" > "$DIR/runner.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 200); do [ -S "$SOCK" ] && break; sleep 0.05; done
[ -S "$SOCK" ] || { cat "$DIR/runner.log" >&2; exit 1; }
cell() {
  "$JAVA" -cp "$HERE/target/benchmarks.jar" io.github.a6sdk.benchmarks.load.LoadGen --socket "$SOCK" --pid "$pid" \
    --warmup 1 --measure 3 "$@" 2>&1 | grep -o "^[a-z0-9]* c=[0-9]*: [0-9]* calls/s"
  echo "  RSS $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status), $(ls /proc/$pid/task | wc -l) threads"
}
cell --scenario say --connections 16
cell --scenario noop --connections 64
cell --scenario say --connections 256
cell --scenario sleep20 --connections 256
cell --scenario sleep20 --connections 256 --new-connection-per-call
cell --scenario say --connections 1024
cell --scenario say --connections 64 --new-connection-per-call
sleep 12
echo "after the cells and 12 s idle: RSS $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status), $(ls /proc/$pid/task | wc -l) threads"
python3 - "$pid" <<'PY'
import collections, re, sys
pid = sys.argv[1]
by_name = collections.Counter()
current = None
for line in open(f"/proc/{pid}/smaps"):
    m = re.match(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$", line)
    if m:
        current = m.group(1) or "(anonymous)"
    elif line.startswith("Rss:"):
        by_name[current] += int(line.split()[1])
anon = sum(v for k, v in by_name.items() if k == "(anonymous)" or k.startswith("["))
print(f"  anonymous {anon / 1024:.1f} MB, file-backed {(sum(by_name.values()) - anon) / 1024:.1f} MB")
for name, kb in by_name.most_common(6):
    print(f"  {kb / 1024:6.1f} MB  {name}")
PY

#!/usr/bin/env bash
# Builds samples/hello-plugin the way a user's project is built (against the installed SDK
# artifacts in ~/.m2, not the reactor), checks `describe` and `validate` on its fat jar, then serves
# it behind the dev gateway (a real runner on a unix socket) and checks the plugin's answer over
# HTTP. Run after `mvn install` of the SDK; .ci/run calls it.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK=$(mktemp -d)
trap 'kill "${PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
cp -r "$HERE/hello-plugin" "$WORK/"
(cd "$WORK/hello-plugin" && mvn -B -q -o package 2>&1 || mvn -B -q package)
JAR="$WORK/hello-plugin/target/hello-plugin-1.0.0.jar"
echo "sample jar: $(stat -c %s "$JAR") bytes"
java -jar "$JAR" describe | tee "$WORK/describe.txt"
grep -q hello "$WORK/describe.txt"
java -jar "$JAR" validate hello '{"name":"APISIX"}'
if java -jar "$JAR" validate hello '{"nmae":"typo"}'; then
  echo "validate accepted a config with an unknown field" >&2; exit 1
fi
# Serve it behind the dev gateway (a real runner on a unix socket) and ask it over HTTP.
PORT=$(( 20000 + RANDOM % 20000 ))
java -jar "$JAR" dev --port "$PORT" --plugin 'hello={"name":"APISIX","prefix":"/hi"}' >"$WORK/dev.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/hi" >"$WORK/answer.txt" 2>/dev/null && break
  sleep 0.1
done
cat "$WORK/dev.log"
ANSWER=$(cat "$WORK/answer.txt" 2>/dev/null || true)
if [ "$ANSWER" != "Hello, APISIX!" ]; then
  echo "expected 'Hello, APISIX!' from the sample plugin, got '$ANSWER'" >&2; exit 1
fi
echo "sample plugin answered: $ANSWER"
kill "$PID" 2>/dev/null || true
# The runner as APISIX starts it, with the README's A6_METRICS_ADDRESS: /healthz and /metrics answer,
# and promtool (when installed; .ci/run installs it) accepts the text.
MPORT=$(( 20000 + RANDOM % 20000 ))
APISIX_LISTEN_ADDRESS="unix:$WORK/runner.sock" A6_METRICS_ADDRESS="127.0.0.1:$MPORT" java -jar "$JAR" >"$WORK/runner.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$MPORT/healthz" >"$WORK/healthz.txt" 2>/dev/null && break
  sleep 0.1
done
curl -fs "http://127.0.0.1:$MPORT/metrics" >"$WORK/metrics.txt" || { cat "$WORK/runner.log"; echo "no /metrics" >&2; exit 1; }
grep -q '^a6_plugin_calls_total{plugin="hello",phase="pre-req",outcome="pass"} 0$' "$WORK/metrics.txt" \
  || { echo "no a6_plugin_calls_total series for the sample plugin" >&2; exit 1; }
[ "$(cat "$WORK/healthz.txt")" = "ok" ] || { echo "expected /healthz ok" >&2; exit 1; }
if command -v promtool >/dev/null 2>&1; then promtool check metrics <"$WORK/metrics.txt"; fi
echo "metrics endpoint: OK ($(grep -c '^a6_' "$WORK/metrics.txt") a6_ samples)"
echo "sample project: OK"

#!/usr/bin/env bash
# Builds samples/hello-plugin the way a user's project is built (against the installed SDK
# artifacts in ~/.m2, not the reactor), checks that its plugin tests really ran, checks `describe`
# and `validate` on its fat jar, runs it as a runner logging to A6_LOG_FILE, then serves it behind
# the dev gateway (a real runner on a unix socket) and checks the plugin's answer over HTTP. Then
# builds samples/logback and checks that the runner's log goes through SLF4J to Logback. Run after
# `mvn install` of the SDK; .ci/run calls it. First come the repository checks (.ci/check-repo.sh).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
WORK=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT

bash "$ROOT/.ci/check-repo.sh"

# The README's "Your own project" block is the sample pom from <properties> to </build>: compare the
# two without comments and without whitespace between tags.
normalise() { perl -0777 -pe 's/<!--.*?-->//gs; s/>\s+</></g; s/^\s+|\s+$//g'; }
awk '/^### Your own project/ { f = 1 } f && /^```xml/ { p = 1; next } p && /^```/ { exit } p' "$ROOT/README.md" \
  | normalise >"$WORK/readme-pom.xml"
perl -0777 -ne 'print $1 if m{(<properties>.*</build>)}s' "$HERE/hello-plugin/pom.xml" | normalise >"$WORK/sample-pom.xml"
if [ ! -s "$WORK/readme-pom.xml" ] || ! cmp -s "$WORK/readme-pom.xml" "$WORK/sample-pom.xml"; then
  echo "README.md's \"Your own project\" pom differs from samples/hello-plugin/pom.xml (<properties> to </build>):" >&2
  diff <(sed 's/></>\n</g' "$WORK/readme-pom.xml") <(sed 's/></>\n</g' "$WORK/sample-pom.xml") >&2 || true
  exit 1
fi
echo "README pom: the same as samples/hello-plugin/pom.xml"

# Build (and test) the sample as a user would.
mvn_package() { (cd "$1" && { mvn -B -q -o package 2>&1 || mvn -B -q package; }); }
cp -r "$HERE/hello-plugin" "$WORK/"
mvn_package "$WORK/hello-plugin"

# Its tests must have run: as many as the sources declare, and none failed. (Without a surefire 3.x
# pin, Maven 3.8 runs 0 JUnit 5 tests and still says BUILD SUCCESS.)
EXPECTED=$(grep -rho '@Test\b' "$WORK/hello-plugin/src/test/java" | wc -l)
read -r RAN BAD < <(cat "$WORK"/hello-plugin/target/surefire-reports/TEST-*.xml 2>/dev/null | perl -ne '
  if (/<testsuite\b/) { my %a = /(\w+)="([^"]*)"/g; $t += $a{tests}; $b += $a{failures} + $a{errors} + $a{skipped} }
  END { printf "%d %d\n", $t, $b }')
if [ "$EXPECTED" -eq 0 ] || [ "$RAN" -lt "$EXPECTED" ] || [ "$BAD" -ne 0 ]; then
  echo "sample tests: $RAN ran ($BAD failed, errored or skipped), $EXPECTED declared with @Test" >&2; exit 1
fi
echo "sample tests: $RAN passed, $EXPECTED declared"

JAR="$WORK/hello-plugin/target/hello-plugin-1.0.0.jar"
echo "sample jar: $(stat -c %s "$JAR") bytes"
java -jar "$JAR" describe | tee "$WORK/describe.txt"
grep -q hello "$WORK/describe.txt"
java -jar "$JAR" validate hello '{"name":"APISIX"}'
if java -jar "$JAR" validate hello '{"nmae":"typo"}'; then
  echo "validate accepted a config with an unknown field" >&2; exit 1
fi

# wait_for FILE PATTERN: until FILE has a line matching PATTERN (10 s at most).
wait_for() {
  for _ in $(seq 1 100); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "no line matching '$2' in $1:" >&2; cat "$1" >&2 2>/dev/null || true; return 1
}
# run_runner NAME JAR [VAR=VALUE...]: starts JAR as a runner on $WORK/NAME.sock, waits for its
# start-up line in the log the variables select, stops it with SIGTERM and waits for its exit.
run_runner() {
  local name=$1 jar=$2 log=$3; shift 3
  env APISIX_LISTEN_ADDRESS="unix:$WORK/$name.sock" A6_EXIT_WITH_PARENT=false "$@" \
    java -jar "$jar" >"$WORK/$name.out" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait_for "$log" "listening on $WORK/$name.sock"
  kill -TERM "$pid"
  wait "$pid"
  wait_for "$log" "stopped"
}

# A6_LOG_FILE: the log is appended to the file, and nothing goes to stderr.
mkdir "$WORK/logs"
echo "an earlier line" >"$WORK/logs/runner.log"
run_runner file "$JAR" "$WORK/logs/runner.log" A6_LOG_FILE="$WORK/logs/runner.log"
head -1 "$WORK/logs/runner.log" | grep -qx "an earlier line"
if [ -s "$WORK/file.out" ]; then
  echo "with A6_LOG_FILE set the runner still wrote to stdout/stderr:" >&2; cat "$WORK/file.out" >&2; exit 1
fi
echo "A6_LOG_FILE: $(grep -c . "$WORK/logs/runner.log") lines appended to the file, none on stderr"
# A path that cannot be opened stops the start, naming the variable and the missing folder.
set +e
APISIX_LISTEN_ADDRESS="unix:$WORK/bad.sock" A6_LOG_FILE="$WORK/no-such-dir/runner.log" java -jar "$JAR" >"$WORK/bad.out" 2>&1
STATUS=$?
set -e
if [ "$STATUS" -ne 2 ] || ! grep -q "A6_LOG_FILE=$WORK/no-such-dir/runner.log: cannot open it for appending: the folder $WORK/no-such-dir does not exist" "$WORK/bad.out"; then
  echo "a bad A6_LOG_FILE gave exit status $STATUS and:" >&2; cat "$WORK/bad.out" >&2; exit 1
fi
echo "A6_LOG_FILE: a bad path stops the start: $(cat "$WORK/bad.out")"

# The README's "Running it under APISIX" block, as written there, with /opt/plugins standing for a folder
# of ours: `cds` once, then the runner started with ext-plugin.cmd's argv. Its classes must come from the
# archive (class+load logging is added to watch that), and it must serve, stop on SIGTERM and exit 0.
mkdir "$WORK/opt"
cp "$JAR" "$WORK/opt/plugins.jar"
CDS_LINE=$(awk '/^## Running it under APISIX/ { f = 1 } f && /^```bash/ { p = 1; next } p && /^```/ { exit } p' "$ROOT/README.md" \
  | grep -v '^\s*#' | sed 's/ *#.*//' | grep .)
[ "$(echo "$CDS_LINE" | wc -l)" -eq 1 ] || { echo "expected one command in the README's cds block, got: $CDS_LINE" >&2; exit 1; }
(eval "${CDS_LINE//\/opt\/plugins/$WORK/opt}")
[ -s "$WORK/opt/plugins.jsa" ] || { echo "the README's cds command wrote no $WORK/opt/plugins.jsa" >&2; exit 1; }
mapfile -t CMD < <(awk '/^## Running it under APISIX/ { f = 1 } f && /^```yaml/ { p = 1; next } p && /^```/ { exit } p' "$ROOT/README.md" \
  | perl -0777 -ne 'print "$1\n" while /cmd:\s*\[(.*?)\]/gs' | perl -ne 'print "$1\n" while /"([^"]*)"/g' \
  | sed "s#/opt/plugins#$WORK/opt#g")
[ "${CMD[0]}" = java ] && [ "${#CMD[@]}" -gt 3 ] || { echo "cannot read ext-plugin.cmd from the README: ${CMD[*]}" >&2; exit 1; }
APISIX_LISTEN_ADDRESS="unix:$WORK/apisix.sock" A6_EXIT_WITH_PARENT=false \
  "${CMD[0]}" "-Xlog:class+load=info:file=$WORK/classes.txt" "${CMD[@]:1}" >"$WORK/apisix.out" 2>&1 &
APID=$!
PIDS+=("$APID")
wait_for "$WORK/apisix.out" "listening on $WORK/apisix.sock"
kill -TERM "$APID"
wait "$APID" || { echo "the runner started as the README says exited with $?:" >&2; cat "$WORK/apisix.out" >&2; exit 1; }
grep -q 'io.github.a6sdk.runtime.Runner source: shared objects file (top)' "$WORK/classes.txt" \
  || { echo "the runner started as the README says did not take its classes from plugins.jsa" >&2; grep 'a6sdk.runtime.Runner ' "$WORK/classes.txt" >&2; exit 1; }
echo "README's APISIX command: cds wrote $(stat -c %s "$WORK/opt/plugins.jsa") bytes; the runner mapped $(grep -c 'shared objects file (top)' "$WORK/classes.txt") classes from it; $(grep -o 'ready [0-9]* ms after main()' "$WORK/apisix.out")"

# Serve it behind the dev gateway (a real runner on a unix socket) and ask it over HTTP.
PORT=$(( 20000 + RANDOM % 20000 ))
java -jar "$JAR" dev --port "$PORT" --plugin 'hello={"name":"APISIX","prefix":"/hi"}' >"$WORK/dev.log" 2>&1 &
PIDS+=($!)
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

# The runner as APISIX starts it, with the README's A6_METRICS_ADDRESS: /healthz and /metrics answer,
# and promtool (when installed; .ci/run installs it) accepts the text.
MPORT=$(( 20000 + RANDOM % 20000 ))
APISIX_LISTEN_ADDRESS="unix:$WORK/runner.sock" A6_METRICS_ADDRESS="127.0.0.1:$MPORT" A6_EXIT_WITH_PARENT=false \
  java -jar "$JAR" >"$WORK/runner.log" 2>&1 &
PIDS+=($!)
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

# samples/logback: System.Logger -> SLF4J -> Logback, which writes the file logback.xml names.
cp -r "$HERE/logback" "$WORK/"
mvn_package "$WORK/logback"
run_runner logback "$WORK/logback/target/logback-runner-1.0.0.jar" "$WORK/lb-logs/runner.log" \
  A6_RUNNER_LOG_DIR="$WORK/lb-logs"
# Logback's pattern (level, then the logger's name and the thread), not the runtime's own "[a6]" lines.
grep -q "INFO  io.github.a6sdk.runtime \[main\] a6 runner .* listening on" "$WORK/lb-logs/runner.log"
if [ -s "$WORK/logback.out" ]; then
  echo "with Logback the runner still wrote to stdout/stderr:" >&2; cat "$WORK/logback.out" >&2; exit 1
fi
echo "samples/logback: the runner's log went to Logback:"
cat "$WORK/lb-logs/runner.log"
echo "sample projects: OK"

# The README's measurement of A6_ALLOWED_PEERS ("Security"), smoke-sized: a runner of the benchmark
# jar with and without the list, a new connection per call; every reply checked, no speed asserted.
SKIP_BUILD=1 bash "$ROOT/benchmarks/ab-env.sh" --pairs 1 --warmup 0.2 --measure 0.5 A6_ALLOWED_PEERS=user:nobody \
  2>&1 | tee "$WORK/ab.txt"
grep -q "runner: ready .* peers: only the runner's own user (uid [0-9]*), user nobody (uid [0-9]*) may connect" "$WORK/ab.txt"
echo "benchmarks/ab-env.sh: OK"

# --- A project generated from sdk-archetype: its own script. ---
bash "$HERE/test-archetype.sh"

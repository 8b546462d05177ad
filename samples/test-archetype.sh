#!/usr/bin/env bash
# Generates a plugin project from the installed sdk-archetype with the README's command, builds it
# the way a user would (against the installed SDK artifacts in the local repository, not the
# reactor), checks that all its tests ran, that its jar is at most 1 MiB, and runs the commands of
# its own README: describe, validate, and dev --watch (with no flags) answered over HTTP by the generated
# plugin, then reloading a rebuilt jar while requests keep coming. Run after `mvn install` of the SDK;
# samples/test-sample.sh calls it.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
VERSION=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$HERE/../sdk-archetype/pom.xml" | head -1)
WORK=$(mktemp -d)
trap 'kill "${PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
cd "$WORK"

# Offline first (CI may run with a warm local repository), online when something is missing.
mvn_try() {
  mvn -B -q -o "$@" 2>&1 || { rm -rf "$WORK/acme-plugins/target"; mvn -B -q "$@"; }
}

# The README's command ("Your own project"), in batch mode.
generate() {
  mvn -B "$@" archetype:generate -DarchetypeGroupId=io.github.a6sdk -DarchetypeArtifactId=sdk-archetype \
      -DarchetypeVersion="$VERSION" -DgroupId=org.acme -DartifactId=acme-plugins -Dversion=1.0.0 -Dpackage=org.acme.plugins
}
generate -o >"$WORK/generate.log" 2>&1 || { rm -rf "$WORK/acme-plugins"; generate >"$WORK/generate.log" 2>&1 || {
  cat "$WORK/generate.log" >&2; echo "archetype:generate failed" >&2; exit 1; }; }
PROJECT="$WORK/acme-plugins"
echo "generated: $(cd "$PROJECT" && find . -type f | sort | tr '\n' ' ')"

# Its README's build command. A quiet build prints nothing that reads like a failure: its own negative
# tests expect errors, and the test kit keeps the runner's log lines about them out of the output.
(cd "$PROJECT" && mvn_try package) 2>&1 | tee "$WORK/build.log"
if grep -n 'SEVERE' "$WORK/build.log"; then
  echo "the generated project's quiet build printed a SEVERE line (above)" >&2; exit 1
fi

# Every @Test in the generated sources ran and passed (surefire's reports, one per test class).
EXPECTED=$(cat "$PROJECT"/src/test/java/org/acme/plugins/*.java | grep -c '^ *@Test$')
RAN=0
for cls in HeaderCheckTest HeaderCheckOverTheProtocolTest; do
  report="$PROJECT/target/surefire-reports/TEST-org.acme.plugins.$cls.xml"
  [ -f "$report" ] || { echo "no surefire report for $cls: its tests did not run" >&2; exit 1; }
  suite=$(grep -m1 '<testsuite ' "$report")
  n=$(sed -n 's/.* tests="\([0-9]*\)".*/\1/p' <<<"$suite")
  bad=$(sed -n 's/.* failures="\([0-9]*\)".*/\1/p' <<<"$suite")+$(sed -n 's/.* errors="\([0-9]*\)".*/\1/p' <<<"$suite")+$(sed -n 's/.* skipped="\([0-9]*\)".*/\1/p' <<<"$suite")
  if [ "$((bad))" -ne 0 ]; then echo "$cls: failed, errors or skipped: $bad" >&2; exit 1; fi
  echo "generated project: $cls ran $n tests"
  RAN=$((RAN + n))
done
if [ "$EXPECTED" -lt 1 ] || [ "$RAN" -ne "$EXPECTED" ]; then
  echo "the generated project's sources have $EXPECTED @Test methods but $RAN tests ran" >&2; exit 1
fi

JAR="$PROJECT/target/acme-plugins-1.0.0.jar"
SIZE=$(stat -c %s "$JAR")
echo "generated project: $RAN tests ran, jar $SIZE bytes"
if [ "$SIZE" -gt 1048576 ]; then echo "the generated jar is larger than 1 MiB" >&2; exit 1; fi

# Its README's config checks.
cd "$PROJECT"
java -jar "$JAR" describe | tee "$WORK/describe.txt"
grep -q '^header-check  (org.acme.plugins.HeaderCheck)' "$WORK/describe.txt"
java -jar "$JAR" validate header-check '{"header":"x-api-key","keys":{"s3cret":"alice"}}'
java -jar "$JAR" validate --route apisix/route.json
if java -jar "$JAR" validate header-check '{"header":"x-api-key","keys":{"s3cret":1}}' 2>"$WORK/invalid.txt"; then
  echo "validate accepted a key whose consumer is a number" >&2; exit 1
fi
grep -q 'bad config at \$\.keys\.s3cret' "$WORK/invalid.txt" || { cat "$WORK/invalid.txt" >&2; exit 1; }

# Its README's `dev --watch` with no plugin flags (the port moved off 9080 so parallel runs do not clash):
# the jar's dev-routes.json routes through the generated plugin.
PORT=$(( 20000 + RANDOM % 20000 ))
java -jar "$JAR" dev --watch --port "$PORT" >"$WORK/dev.log" 2>&1 &
PID=$!
for _ in $(seq 1 200); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null && break
  sleep 0.1
done
STATUS=$(curl -s -o "$WORK/denied.txt" -w '%{http_code}' "http://127.0.0.1:$PORT/")
PASSED=$(curl -s -H 'x-api-key: dev-key' "http://127.0.0.1:$PORT/orders" || true)
cat "$WORK/dev.log"
if [ "$STATUS" != 401 ] || [ "$(cat "$WORK/denied.txt")" != '{"error":"unauthorized","message":"missing x-api-key"}' ]; then
  echo "expected 401 with a JSON error without a key, got $STATUS $(cat "$WORK/denied.txt")" >&2; exit 1
fi
if ! grep -q '"x-consumer": "dev-user"' <<<"$PASSED" || grep -q 'x-api-key' <<<"$PASSED"; then
  echo "expected the echo upstream to see x-consumer and no x-api-key, got: $PASSED" >&2; exit 1
fi

# The README's dev loop: change the plugin (and its tests), `mvn package` while dev --watch runs and
# requests keep coming; every request is answered (401, no 503), and the new build answers once reloaded.
sed -i 's/unauthorized/denied/' src/main/java/org/acme/plugins/HeaderCheck.java src/test/java/org/acme/plugins/*.java
: >"$WORK/statuses.txt"
( while [ ! -f "$WORK/stop-load" ]; do
    curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$PORT/" >>"$WORK/statuses.txt" || echo failed >>"$WORK/statuses.txt"
  done ) &
LOAD=$!
mvn_try package
NEW=""
for _ in $(seq 1 300); do
  NEW=$(curl -s "http://127.0.0.1:$PORT/")
  [ "$NEW" = '{"error":"denied","message":"missing x-api-key"}' ] && break
  sleep 0.1
done
touch "$WORK/stop-load"; wait "$LOAD"
grep 'a6 dev: reloaded' "$WORK/dev.log" || { cat "$WORK/dev.log" >&2; echo "dev --watch did not reload the new build" >&2; exit 1; }
if [ "$NEW" != '{"error":"denied","message":"missing x-api-key"}' ]; then
  echo "after the reload, expected the new build's answer, got: $NEW" >&2; exit 1
fi
CALLS=$(wc -l <"$WORK/statuses.txt")
BAD=$(grep -cv '^401$' "$WORK/statuses.txt" || true)
echo "dev --watch: $CALLS requests during the build and the reload, $BAD not answered 401"
if [ "$CALLS" -lt 10 ] || [ "$BAD" -ne 0 ]; then
  sort "$WORK/statuses.txt" | uniq -c >&2; echo "requests failed during the reload" >&2; exit 1
fi
# Stopping it stops the gateway's JVM and its runner's too.
GATEWAY=$(pgrep -P "$PID" || true)
RUNNERS=$(for g in $GATEWAY; do pgrep -P "$g" || true; done)
kill "$PID"; wait "$PID" 2>/dev/null || true
for _ in $(seq 1 50); do
  LEFT=$(for p in $GATEWAY $RUNNERS; do kill -0 "$p" 2>/dev/null && echo "$p"; done || true)
  [ -z "$LEFT" ] && break
  sleep 0.1
done
if [ -z "$GATEWAY" ] || [ -z "$RUNNERS" ] || [ -n "$LEFT" ]; then
  echo "dev --watch: gateway [$GATEWAY], runners [$RUNNERS], still running after it was stopped: [$LEFT]" >&2; exit 1
fi
echo "generated plugin answered: 401 without a key; with one, the upstream saw x-consumer: dev-user; dev --watch reloaded a new build with no failed request"
echo "archetype project: OK"

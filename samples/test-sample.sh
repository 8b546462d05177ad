#!/usr/bin/env bash
# Builds samples/hello-plugin the way a user's project is built (against the installed SDK
# artifacts in ~/.m2, not the reactor), then serves its fat jar on a real socket and checks that
# the plugin answers. Run after `mvn install` of the SDK; .ci/run calls it.
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
echo "sample project: OK"

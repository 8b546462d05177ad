#!/usr/bin/env bash
# Repository checks that the README's test command runs (samples/test-sample.sh calls this first).
#
# 1. The BOM covers every published module. A module of the root pom is published unless its pom
#    sets <maven.deploy.skip>true</maven.deploy.skip> (examples and benchmarks: not libraries). Every
#    published module with jar packaging is something a user may put in <dependencies>, so sdk-bom
#    must manage it, at the project's version; and the BOM must manage nothing that is not one.
# 2. Nothing a user reads or runs points outside the repository: no tracked file mentions ../shared,
#    except under .ci/ and under benchmarks/ (our own tooling: compare.sh and the benchmark smoke test
#    run the other runners from ../shared/baseline). benchmarks/README.md is read by users, so it is
#    checked like any other file.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
fail=0

# --- 1. BOM ---
# A pom's own coordinates: drop <parent>, <dependencyManagement>, <dependencies>, <build> and
# <profiles> first, so that only the project's own artifactId/packaging/version remain.
own() { # own FILE TAG -> the first <TAG> of the pom outside those sections
  perl -0777 -ne 's/<!--.*?-->//gs; s{<(parent|dependencyManagement|dependencies|build|profiles)>.*?</\1>}{}gs;
    print $1 if m{<'"$2"'>\s*([^<]*?)\s*</'"$2"'>}s' "$1"
}
VERSION=$(own pom.xml version)
published=()
for m in $(perl -ne 'print "$1\n" if m{<module>\s*([^<]+?)\s*</module>}' pom.xml); do
  pom="$m/pom.xml"
  [ "$m" = sdk-bom ] && continue
  if grep -q '<maven.deploy.skip>true</maven.deploy.skip>' "$pom"; then
    continue
  fi
  packaging=$(own "$pom" packaging)
  [ "${packaging:-jar}" = jar ] || continue
  published+=("$(own "$pom" artifactId)")
done
managed=$(perl -0777 -ne 's/<!--.*?-->//gs; while (m{<dependency>(.*?)</dependency>}gs) { my $d = $1;
    my ($a) = $d =~ m{<artifactId>\s*(.*?)\s*</artifactId>}s; my ($v) = $d =~ m{<version>\s*(.*?)\s*</version>}s;
    print "$a $v\n" }' sdk-bom/pom.xml)
for a in "${published[@]}"; do
  line=$(printf '%s\n' "$managed" | awk -v a="$a" '$1 == a' || true)
  if [ -z "$line" ]; then
    echo "check-repo: sdk-bom/pom.xml does not manage module $a: add it to the BOM's dependencyManagement" \
      "(or, if it is not published, set <maven.deploy.skip>true</maven.deploy.skip> in $a's pom)" >&2
    fail=1
  elif [ "${line#* }" != "$VERSION" ]; then
    echo "check-repo: sdk-bom/pom.xml manages $a at version ${line#* }, the project is at $VERSION" >&2
    fail=1
  fi
done
while read -r a _; do
  [ -z "$a" ] && continue
  if ! printf '%s\n' "${published[@]}" | grep -qx "$a"; then
    echo "check-repo: sdk-bom/pom.xml manages $a, which is not a published module of pom.xml" >&2
    fail=1
  fi
done <<<"$managed"
if [ "$fail" = 0 ]; then
  echo "check-repo: sdk-bom manages all ${#published[@]} published modules: ${published[*]}"
fi

# --- 2. no reference to ../shared ---
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files=$(git -C "$ROOT" ls-files)
else
  files=$(find . -type f -not -path './.git/*' -not -path '*/target/*' | sed 's|^\./||')
fi
outside=$(printf '%s\n' "$files" | grep -v -e '^\.ci/' -e '^benchmarks/' || true)
outside="$outside"$'\n'"$(printf '%s\n' "$files" | grep -x 'benchmarks/README.md' || true)"
hits=$(printf '%s\n' "$outside" | sed '/^$/d' | while read -r f; do
  [ -f "$f" ] && grep -Hn -F '../shared' "$f" || true
done)
if [ -n "$hits" ]; then
  echo "check-repo: these files point at ../shared, which a user's clone does not have (use docs/ instead):" >&2
  echo "$hits" >&2
  fail=1
else
  echo "check-repo: no file a user reads or runs refers to ../shared"
fi
exit "$fail"

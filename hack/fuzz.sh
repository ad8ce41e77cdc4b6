#!/bin/sh
# fuzz.sh runs every fuzz target of the module, one after the other, for
# FUZZTIME each (default 30s). Targets are found, not listed: every package
# whose tests define a func Fuzz... is asked for them with go test -list,
# so a target added later is run without touching this script.
#
# A finding fails the run. go test writes the input that failed to the
# package's testdata/fuzz/<Target>/; commit it with the fix, and plain
# go test (so make test) runs it as a regression seed from then on.
#
#   FUZZTIME=2m hack/fuzz.sh          longer runs
#   FUZZ=FuzzLoad hack/fuzz.sh        only the targets matching a regexp
#
# The last lines printed are a table: each target, how long it ran and
# what it found.
set -eu

GO=${GO:-go}
FUZZTIME=${FUZZTIME:-30s}
# Go minimises every new interesting input for up to a minute by default,
# counting no executions meanwhile; a short budget keeps the time for
# fuzzing.
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-5s}
FUZZ=${FUZZ:-.}

cd "$(dirname "$0")/.."

summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
failed=0

# Packages whose test files define fuzz targets.
pkgs=$($GO list -f '{{.ImportPath}}{{range .TestGoFiles}} {{$.Dir}}/{{.}}{{end}}{{range .XTestGoFiles}} {{$.Dir}}/{{.}}{{end}}' ./... |
	while read -r pkg files; do
		[ -n "$files" ] || continue
		# shellcheck disable=SC2086 # files is a list
		if grep -q '^func Fuzz' $files; then echo "$pkg"; fi
	done)

for pkg in $pkgs; do
	for target in $($GO test -list '^Fuzz' "$pkg" | grep '^Fuzz' | grep -E -- "$FUZZ" || true); do
		echo "=== $target ($pkg), $FUZZTIME"
		start=$(date +%s)
		if $GO test -run '^$' -fuzz "^$target\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZETIME" "$pkg"; then
			result="no finding"
		else
			result="FINDING: see testdata/fuzz/$target in $pkg"
			failed=1
		fi
		printf '%-22s %-42s %5ss  %s\n' "$target" "$pkg" "$(($(date +%s) - start))" "$result" >>"$summary"
	done
done

echo
echo "fuzz targets, each run for $FUZZTIME:"
cat "$summary"
exit $failed

#!/usr/bin/env bash
# bench/run.sh: the whole-process benchmark of skyc render (issue 7).
#
# Builds skyc, generates fleets of N services (bench/fleetgen, peer shape:
# Deployment, Service, ServiceAccount, PodDisruptionBudget and
# HorizontalPodAutoscaler per service) and runs `skyc render --no-cache`
# on each, RUNS times, to stdout and with -o DIR, and `skyc check
# --no-cache`, under
# /usr/bin/time. It prints the median wall time with its range, the
# median CPU time (user + sys) and the largest peak RSS, then start-up
# (one small service), and for N = 1000 and 3000 renders with the cache:
# empty, warm, and warm after editing one service, and skyc check with its
# findings cache warm, with nothing edited and after editing one service.
#
# Environment:
#   SIZES   fleet sizes (default "100 1000 3000 10000")
#   RUNS    runs per measurement (default 5; start-up uses 4×RUNS)
#   SHAPE   fleet shape, peer or mixed (default peer)
#   WORK    scratch directory (default: a new temporary directory, removed)
#
# Timings on a shared machine are noisy: compare CPU time as well as wall
# time, and rerun before drawing conclusions.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZES=${SIZES:-"100 1000 3000 10000"}
RUNS=${RUNS:-5}
SHAPE=${SHAPE:-peer}
if [[ -z "${WORK:-}" ]]; then
	WORK=$(mktemp -d)
	trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK"

if [[ ! -x /usr/bin/time ]]; then
	echo "installing GNU time (/usr/bin/time) for peak RSS" >&2
	if [[ $(id -u) -eq 0 ]]; then
		apt-get install -y -qq time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
	else
		sudo apt-get install -y -qq time >/dev/null || { sudo apt-get update -qq && sudo apt-get install -y -qq time >/dev/null; }
	fi
fi

cd "$ROOT"
# skyc runs skyc-full, next to it, for check and diff.
go build -o "$WORK/" ./cmd/skyc ./cmd/skyc-full
go build -o "$WORK/fleetgen" ./bench/fleetgen
SKYC=$WORK/skyc

# The cache, when skyc has one, lives in a scratch directory: cold runs
# pass --no-cache, warm runs use it.
export XDG_CACHE_HOME=$WORK/cache
NOCACHE=()
HAVE_CACHE=0
help=$("$SKYC" help render 2>&1 || true)
if [[ $help == *-no-cache* ]]; then
	NOCACHE=(--no-cache)
	HAVE_CACHE=1
fi
HAVE_CHECK=0
if "$SKYC" help check >/dev/null 2>&1; then
	HAVE_CHECK=1
fi

echo "# skyc render benchmark"
echo
echo "date:    $(date -u +%Y-%m-%dT%H:%MZ)"
echo "commit:  $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (modified)')"
echo "go:      $(go version | cut -d' ' -f3-)"
echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') × $(nproc) (nproc)"
echo "memory:  $(free -g | awk '/^Mem:/ {print $2 " GiB total, " $7 " GiB available"}')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
echo "shape:   $SHAPE, $RUNS runs per row"
echo

# median FILE COLUMN: the median of a column of numbers (an awk
# expression over $1..$4, e.g. "$2+$3").
median() {
	awk "{ print $2 }" "$1" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# summarize NAME FILE: a table row from FILE's lines "wall user sys rss":
# median wall (min–max), median CPU, largest peak RSS.
summarize() {
	local wall cpu lo hi rss
	wall=$(median "$2" '$1')
	cpu=$(median "$2" '$2 + $3')
	lo=$(awk '{ print $1 }' "$2" | sort -g | head -1)
	hi=$(awk '{ print $1 }' "$2" | sort -g | tail -1)
	rss=$(awk '{ print $4 }' "$2" | sort -g | tail -1)
	printf '| %s | %.3f s (%.3f–%.3f) | %.2f s | %.0f MiB |\n' "$1" "$wall" "$lo" "$hi" "$cpu" "$((rss / 1024))"
}

# timed CMD...: runs CMD once and appends "wall user sys rss" to runs.txt.
# Wall time comes from the clock around /usr/bin/time (millisecond
# resolution; /usr/bin/time's own %e has only 10 ms), CPU time and peak RSS
# from /usr/bin/time.
#
# Each run starts after a sync, untimed: the files the fleet generator or
# a -o DIR run left dirty would otherwise be written back during the
# next run, which slowed it by 10-20% on this machine's disk.
timed() {
	local start end
	sync
	start=$(date +%s%N)
	/usr/bin/time -f '%U %S %M' -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/stderr.txt" || {
		echo "failed: $*" >&2
		cat "$WORK/stderr.txt" >&2
		exit 1
	}
	end=$(date +%s%N)
	printf '%d.%03d %s\n' $(((end - start) / 1000000000)) $(((end - start) / 1000000 % 1000)) "$(cat "$WORK/time.txt")" >>"$WORK/runs.txt"
}

# measure NAME CMD...: runs CMD $RUNS times under /usr/bin/time and prints a
# table row: median wall (min–max), median CPU, max peak RSS.
measure() {
	local name=$1
	shift
	: >"$WORK/runs.txt"
	for ((i = 0; i < RUNS; i++)); do
		timed "$@"
	done
	summarize "$name" "$WORK/runs.txt"
}

echo "| render | wall, median (range) | CPU (user+sys), median | peak RSS, max |"
echo "|---|---|---|---|"
for n in $SIZES; do
	fleet=$WORK/fleet-$n
	[[ -d $fleet ]] || "$WORK/fleetgen" -n "$n" -seed 1 -shape "$SHAPE" -o "$fleet" >/dev/null
	(cd "$fleet" && measure "N=$n, stdout" "$SKYC" render "${NOCACHE[@]}" services/...)
	(cd "$fleet" && measure "N=$n, -o DIR" "$SKYC" render "${NOCACHE[@]}" -o "$WORK/out-$n" services/...)
	if [[ $HAVE_CHECK == 1 ]]; then
		(cd "$fleet" && measure "N=$n, skyc check (validation + policies)" "$SKYC" check "${NOCACHE[@]}" services/...)
	fi
done

# Start-up: one small service, the whole process.
small=$WORK/fleet-1
[[ -d $small ]] || "$WORK/fleetgen" -n 1 -seed 1 -o "$small" >/dev/null
svcs=("$small"/services/*/*.sky)
svc=${svcs[0]#"$small"/}
(cd "$small" && RUNS=$((RUNS * 4)) measure "start-up: 1 service, stdout" "$SKYC" render "${NOCACHE[@]}" "$svc")
if [[ $HAVE_CACHE == 1 ]]; then
	(cd "$small" && "$SKYC" render "$svc" >/dev/null)
	(cd "$small" && RUNS=$((RUNS * 4)) measure "start-up: 1 service, warm cache" "$SKYC" render "$svc")
fi
(cd "$small" && RUNS=$((RUNS * 4)) measure "process start alone: skyc version" "$SKYC" version)

if [[ $HAVE_CACHE == 1 ]]; then
	# Incremental: a cold cache (empty: evaluates everything and writes
	# the cache), a warm one with nothing changed, and one edited service.
	for n in $SIZES; do
		[[ $n == 3000 || $n == 1000 ]] || continue
		fleet=$WORK/fleet-$n
		: >"$WORK/runs.txt"
		for ((i = 0; i < RUNS; i++)); do
			# Moved aside, removed after the loop: removing a cache of
			# tens of megabytes right before a run slowed the run down
			# by 10-20% on this disk (the kernel's work for the unlink,
			# and its discards, overlapped it).
			if [[ -d $XDG_CACHE_HOME/skyc/render ]]; then
				mkdir -p "$WORK/old-caches"
				mv "$XDG_CACHE_HOME/skyc/render" "$WORK/old-caches/render-$n-$i"
			fi
			(cd "$fleet" && timed "$SKYC" render services/...)
		done
		rm -rf "$WORK/old-caches"
		summarize "N=$n, cold cache (empty, written), stdout" "$WORK/runs.txt"
		(cd "$fleet" && measure "N=$n, warm cache, nothing edited, stdout" "$SKYC" render services/...)
		files=("$fleet"/services/*/*.sky)
		one=${files[0]#"$fleet"/}
		: >"$WORK/runs.txt"
		for ((i = 0; i < RUNS; i++)); do
			# A real change: one more annotation on the Deployment.
			sed -i "s|^    return svc\$|    svc.deployment.metadata.annotations[\"bench/edit\"] = \"$i\"\n    return svc|" "$fleet/$one"
			(cd "$fleet" && timed "$SKYC" render services/...)
		done
		summarize "N=$n, warm cache, 1 file edited, stdout" "$WORK/runs.txt"
		if [[ $HAVE_CHECK == 1 ]]; then
			# skyc check keeps each service's findings in its own cache.
			(cd "$fleet" && "$SKYC" check services/... >/dev/null)
			(cd "$fleet" && measure "N=$n, skyc check, warm cache, nothing edited" "$SKYC" check services/...)
			: >"$WORK/runs.txt"
			for ((i = 0; i < RUNS; i++)); do
				sed -i "s|^    return svc\$|    svc.deployment.metadata.annotations[\"bench/check\"] = \"$i\"\n    return svc|" "$fleet/$one"
				(cd "$fleet" && timed "$SKYC" check services/...)
			done
			summarize "N=$n, skyc check, warm cache, 1 file edited" "$WORK/runs.txt"
		fi
		(cd "$fleet" && measure "N=$n, warm cache, nothing edited, -o DIR" "$SKYC" render -o "$WORK/out-$n" services/...)
	done
fi
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

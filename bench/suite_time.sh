#!/bin/bash
# The suite's time before and after a change, runs taking turns (see "Test suite time" in
# bench/RESULTS.md). BASE is a checkout of the commit before (git worktree add --detach DIR REV),
# AFTER this checkout (default: the current directory). Prints, for each run: wall time, CPU time
# (user + sys of pytest and its children), pytest's summary, the load average before and after.
#
#     BASE=/tmp/zcps-base bash bench/suite_time.sh [rounds]
#
# AFTER_ARGS adds pytest arguments to the "after" runs only (e.g. --ignore= for test modules
# the "before" commit does not have, to time the same tests).
set -euo pipefail
base=${BASE:?BASE: a checkout of the commit before}
after=${AFTER:-$(pwd)}
rounds=${1:-2}
for round in $(seq 1 "$rounds"); do
  for side in before after; do
    dir=$base
    [ "$side" = after ] && dir=$after
    load0=$(cut -d' ' -f1 /proc/loadavg)
    extra=""
    [ "$side" = after ] && extra=${AFTER_ARGS:-}
    result=$(cd "$dir" && EXTRA="$extra" python - <<'PY'
import os
import resource
import subprocess
import time

start = time.perf_counter()
out = subprocess.run(["pytest", "-m", "not e2e", "-q", "-p", "no:cacheprovider",
                      *os.environ["EXTRA"].split()],
                     capture_output=True, text=True).stdout.strip().splitlines()[-1]
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"wall {wall:.1f} s | cpu {usage.ru_utime + usage.ru_stime:.1f} s | {out}")
PY
)
    echo "round $round $side | $result | load $load0 -> $(cut -d' ' -f1 /proc/loadavg)"
  done
done

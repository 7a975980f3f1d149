#!/usr/bin/env bash
# The lab in two minutes: three member JVMs, one SIGKILLed and seen removed by the survivors, brought
# back as a new incarnation, then everything stopped; then a lock scenario on real member JVMs: a
# holder killed with SIGKILL, fenced, its lock purged by recovery and its waiter granted.
# Usage: scripts/demo.sh [RUN_DIR] (default ./run/demo). Whatever happens, the trap stops every
# member it started (the scenario runner cleans up its own members).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dlm="$root/bin/dlm"
dir="${1:-$root/run/demo}"
finished=0

cleanup() {
  if [[ $finished -eq 0 && -f "$dir/cluster.properties" ]]; then
    echo "demo: stopping the cluster in $dir after a failure" >&2
    "$dlm" cluster down --dir "$dir" >&2 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n=== %s\n' "$*"; }

# The demo owns its directory: leftovers of an interrupted demo are stopped first.
if [[ -f "$dir/cluster.properties" ]]; then
  step "stopping leftovers of an earlier demo in $dir"
  "$dlm" cluster down --dir "$dir"
fi

step "dlm cluster up --nodes 3"
"$dlm" cluster up --nodes 3 --dir "$dir"

step "dlm cluster kill n2   (SIGKILL: n2 dies without leaving)"
"$dlm" cluster kill n2 --dir "$dir"

step "waiting until the survivors have removed n2 (failure detector + Split Brain Resolver)"
start=$SECONDS
until "$dlm" cluster status --dir "$dir" | grep -Eq '^n2 +Dead .*Removed'; do
  if (( SECONDS - start > 30 )); then
    echo "demo: n2 was not removed within 30s" >&2
    "$dlm" cluster status --dir "$dir" >&2
    exit 1
  fi
  sleep 1
done
"$dlm" cluster status --dir "$dir"

step "dlm cluster restart n2   (same name and ports, new incarnation)"
"$dlm" cluster restart n2 --dir "$dir"
"$dlm" cluster status --dir "$dir"

step "dlm cluster down"
"$dlm" cluster down --dir "$dir"
finished=1

step "dlm scenario run --mode jvm scenarios/recovery/dead-holder-waiter-granted.scen"
echo "(3 member JVMs: n3 holds EX, n2 waits; n3 is SIGKILLed, fenced, recovered; n2 is granted)"
"$dlm" scenario run --mode jvm "$root/scenarios/recovery/dead-holder-waiter-granted.scen"
echo
echo "demo: done; member logs of the first part are in $dir/n1.log .. n3.log"

#!/usr/bin/env bash
#
# The long variant of SpoolCrashIT (issue 8): many more kill -9 / restart rounds of the real
# distribution while mail flows, then the on-disk audit of every Maildir, repeated RUNS times
# with a fresh seed each (or the one given). Needs the distribution built (./mailroom build, or
# mvn install -DskipTests). Each run keeps its folder under itests/target/crash-<n>/ (the data,
# every start's console output, Karaf's log, summary.txt).
#
#   bench/spool-crash/run.sh [KILLS=30] [RUNS=1] [SEED=random] [SENDERS=4]
#
set -euo pipefail
KILLS="${1:-30}"
RUNS="${2:-1}"
SEED="${3:-}"
SENDERS="${4:-4}"

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ls "$REPO"/assembly/target/mailroom-assembly-*.tar.gz >/dev/null 2>&1 \
    || { echo "build first: ./mailroom build" >&2; exit 1; }

failed=0
for run in $(seq 1 "$RUNS"); do
    args=(-B -ntp -o verify -pl itests -Dit.test=SpoolCrashIT
        "-Dmailroom.crash.kills=$KILLS" "-Dmailroom.crash.senders=$SENDERS")
    [ -n "$SEED" ] && args+=("-Dmailroom.crash.seed=$SEED")
    echo "spool-crash: run $run of $RUNS: $KILLS kills" >&2
    if ! (cd "$REPO" && mvn "${args[@]}" >"$REPO/itests/target/spool-crash-run-$run.log" 2>&1); then
        failed=$((failed + 1))
        echo "spool-crash: run $run FAILED, see itests/target/spool-crash-run-$run.log" >&2
    fi
    grep -h "SpoolCrashIT summary\|SpoolCrashIT: BUG" \
        "$REPO/itests/target/failsafe-reports/org.mailroom.itests.SpoolCrashIT-output.txt" || true
done
echo "spool-crash: $RUNS run(s), $failed failed" >&2
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
#
# Whole-server POP3 load run against the built distribution (./mailroom build first).
# Measures: login latency on an idle server (baseline) and while DOWNLOADERS clients stream a
# large message in a loop (the ratio is the figure that matters), and the server heap per idle
# logged-in session. Everything runs on loopback, bounded in time, and stops what it started.
#
#   bench/pop3-load/run.sh [DOWNLOADERS=64] [IDLE_SESSIONS=2000] [SECONDS=15] [MESSAGE_MB=5]
#
set -euo pipefail
DOWNLOADERS="${1:-64}"
IDLE="${2:-2000}"
SECONDS_PER_PHASE="${3:-15}"
MESSAGE_MB="${4:-5}"

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TARBALL="$(ls "$REPO"/assembly/target/mailroom-assembly-*.tar.gz 2>/dev/null | head -n 1)"
[ -n "$TARBALL" ] || { echo "build first: ./mailroom build" >&2; exit 1; }

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

tar -xzf "$TARBALL" -C "$WORK"
DIST="$(ls -d "$WORK"/mailroom-assembly-*/ | head -n 1)"
DATA="$WORK/data"
mkdir -p "$DATA/mail"

# Load users: {PLAIN} so that setting up thousands of sessions measures the server, not hashing.
# The probe user's hash is SHA512-CRYPT with 5000 rounds, Dovecot's usual choice; the argon2id
# demo user would measure mostly the hash (see README, Performance).
TOTAL=$((DOWNLOADERS + IDLE))
PROBE_HASH="$(python3 -W ignore -c "import crypt; print(crypt.crypt('probe', crypt.mksalt(crypt.METHOD_SHA512)))")"
{
    echo "probe:{SHA512-CRYPT}$PROBE_HASH"
    for i in $(seq 0 $((TOTAL - 1))); do echo "load$i:{PLAIN}load"; done
} >> "$DIST/etc/mailroom-users.passwd"
head -c $((MESSAGE_MB * 1024 * 1024)) /dev/urandom | base64 -w 76 > "$WORK/body"
{
    printf 'From: bench@example.org\nTo: load@example.org\nSubject: load\nMessage-ID: <load@bench>\n\n'
    cat "$WORK/body"
} > "$WORK/message"
for i in $(seq 0 $((DOWNLOADERS - 1))); do
    mkdir -p "$DATA/mail/load$i"/{tmp,new,cur}
    ln "$WORK/message" "$DATA/mail/load$i/new/1000000000.M1P1Q$i.bench"
done
# Every load client comes from 127.0.0.1: lift the per-address guards (count and rate).
sed -i -e 's/^maxConnections *=.*/maxConnections = 100000/' -e 's/^maxConnectionsPerIp *=.*/maxConnectionsPerIp = 100000/' \
    -e 's/^maxConnectionRatePerIp *=.*/maxConnectionRatePerIp = 10000000/' \
    "$DIST/etc/org.mailroom.listener-pop3.cfg"

PORT="$(free_port)"
export MAILROOM_DATA="$DATA" MAILROOM_BIND=127.0.0.1 MAILROOM_POP3_PORT="$PORT" MAILROOM_POP3S_PORT="$(free_port)"
"$DIST/bin/karaf" server > "$WORK/karaf.out" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.5
done
JAVA_PID="$(pgrep -f "karaf.base=$DIST" | head -n 1 || true)"
[ -n "$JAVA_PID" ] || JAVA_PID="$(pgrep -P "$SERVER_PID" java | head -n 1)"

heap_kib() {
    jcmd "$JAVA_PID" GC.run > /dev/null
    jcmd "$JAVA_PID" GC.heap_info | grep -o 'used [0-9]*K' | head -n 1 | tr -dc 0-9
}

echo "== Mailroom POP3 load: $DOWNLOADERS downloaders of a ${MESSAGE_MB} MB message, $IDLE idle sessions, ${SECONDS_PER_PHASE}s phases"
mkfifo "$WORK/control"
exec 4<>"$WORK/control"
java "$REPO/bench/pop3-load/Pop3Load.java" 127.0.0.1 "$PORT" probe probe load load \
    "$DOWNLOADERS" "$IDLE" "$SECONDS_PER_PHASE" <&4 > "$WORK/load.out" 2>&1 &
LOAD_PID=$!
BEFORE=""
while kill -0 "$LOAD_PID" 2>/dev/null; do
    if [ -z "$BEFORE" ] && grep -q BASELINE_READY "$WORK/load.out"; then
        grep -v _READY "$WORK/load.out"
        BEFORE="$(heap_kib)"
        echo >&4
    fi
    if grep -q IDLE_SESSIONS_READY "$WORK/load.out"; then
        AFTER="$(heap_kib)"
        echo "server heap: ${BEFORE} KiB before, ${AFTER} KiB with $IDLE idle logged-in sessions:" \
            "$(( (AFTER - BEFORE) * 1024 / IDLE )) bytes per session"
        echo >&4
        break
    fi
    sleep 0.5
done
wait "$LOAD_PID"
grep -q IDLE_SESSIONS_READY "$WORK/load.out" || { cat "$WORK/load.out"; exit 1; }

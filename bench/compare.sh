#!/usr/bin/env bash
#
# Mailroom against Dovecot 2.3 (POP3, POP3S, LMTP) and Postfix (SMTP into Maildir), side by
# side in one run on this machine, with the byte-verifying load generator of bench/load.
#
#   bench/compare.sh [--rounds 3] [--seconds 10] [--quick] [--only LIST] [--no-build]
#                    [--keep-work]
#
#   --rounds N     rounds of the interleaved scenarios (default 3); figures are medians
#   --seconds T    measured seconds per POP3 run (default 10; a 2 s warm-up precedes each)
#   --quick        smoke run: 1 round, 3 s, 16 users x 40 messages, fewer SMTP/LMTP messages,
#                  300 / 2,000 idle sessions
#   --only LIST    comma-separated scenarios or prefixes: pop3-1 pop3-8 pop3-64 cpu18-1 cpu18-8
#                  cpu18-64 pop3s-8 large churn login-under-load smtp-1 smtp-8 smtp-64 lmtp-1 lmtp-8 lmtp-64
#                  idle-1000 idle-10000 (e.g. --only pop3,idle)
#   --no-build     use the Mailroom tarball as it is, even if sources are newer
#   --keep-work    keep the work directory (mail copies, logs, raw RESULT lines)
#
# Writes bench/RESULTS.md (the part between the compare.sh markers; a "Profile notes" section
# after the end marker is kept as it is). Raw RESULT lines and the servers' logs stay in the
# work directory (/tmp/mrbench.*, removed at exit unless --keep-work). Every server it starts
# (private instances on free loopback ports, never the system's) is stopped on exit, Ctrl-C or
# failure. A failed verification makes the run exit non-zero and marks its row FAILED.
#
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=refs/servers.sh
source "$REPO/bench/refs/servers.sh"

ROUNDS=3
SECONDS_RUN=10
QUICK=0
ONLY=""
BUILD=1
KEEP=0
CMDLINE="bench/compare.sh${*:+ $*}"
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS="$2"; shift 2 ;;
        --seconds) SECONDS_RUN="$2"; shift 2 ;;
        --quick) QUICK=1; shift ;;
        --only) ONLY="$2"; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        --keep-work) KEEP=1; shift ;;
        -h|--help) sed -n '3,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) refs_die "unknown option $1 (see --help)" ;;
    esac
done

USERS=64
MESSAGES=200
LARGE_MB=20
WARMUP=2
SMTP_MSGS_1=400
SMTP_MSGS_8=1500
SMTP_MSGS_64=3000
IDLE_SMALL=1000
IDLE_BIG=10000
if [ "$QUICK" = 1 ]; then
    ROUNDS=1
    SECONDS_RUN=3
    USERS=16
    MESSAGES=40
    LARGE_MB=5
    WARMUP=1
    SMTP_MSGS_1=100
    SMTP_MSGS_8=200
    SMTP_MSGS_64=320
    IDLE_SMALL=300
    IDLE_BIG=2000
fi
RCPT_USERS=64
# The CPU target is per 18 KB message: full sessions over mailboxes of exactly that size too.
CPU_USERS=$USERS
CPU_MESSAGES=$((MESSAGES / 2))
# The large message: one copy per downloader (big0..big63), since Mailroom locks a mailbox per
# POP3 session (RFC 1939's exclusive access) and would refuse 64 sessions on one.
LARGE_COPIES=64
SCENARIOS=(pop3-1 pop3-8 pop3-64 cpu18-1 cpu18-8 cpu18-64 pop3s-8 large churn login-under-load smtp-1 smtp-8 smtp-64 lmtp-1 lmtp-8 lmtp-64)

wanted() {
    local s="$1" w
    [ -z "$ONLY" ] && return 0
    for w in ${ONLY//,/ }; do
        case "$s" in "$w" | "$w"-*) return 0 ;; esac
    done
    return 1
}

# ------------------------------------------------------------------ prerequisites

JAR="$REPO/bench/load/target/mailroom-load.jar"
if [ ! -f "$JAR" ]; then
    refs_log "building the load generator (bench/load)"
    (cd "$REPO" && mvn -B -ntp -q -f bench/load/pom.xml package -DskipTests) || refs_die "cannot build $JAR"
fi
TARBALL="$(ls "$REPO"/assembly/target/mailroom-assembly-*.tar.gz 2>/dev/null | head -n 1 || true)"
stale() {
    [ -z "$TARBALL" ] && return 0
    [ -n "$(find "$REPO/pom.xml" "$REPO/bundles" "$REPO/features" "$REPO/assembly" "$REPO/etc" \
        -path '*/target' -prune -o -type f -newer "$TARBALL" -print -quit 2>/dev/null)" ]
}
if stale; then
    if [ "$BUILD" = 1 ]; then
        refs_log "the Mailroom tarball is missing or older than the sources: ./mailroom build"
        "$REPO/mailroom" build || refs_die "./mailroom build failed"
        TARBALL="$(ls "$REPO"/assembly/target/mailroom-assembly-*.tar.gz | head -n 1)"
    elif [ -z "$TARBALL" ]; then
        refs_die "no Mailroom tarball: ./mailroom build"
    else
        refs_log "warning: $TARBALL is older than the sources (--no-build)"
    fi
fi
for tool in dovecot doveconf postfix postconf openssl jcmd python3 java; do
    command -v "$tool" >/dev/null || refs_die "$tool not found"
done
# 10,000 idle sessions: the generator and Mailroom each hold one descriptor per session.
ulimit -Hn 65536 2>/dev/null || true
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge $((IDLE_BIG + 1000)) ] || refs_die "ulimit -n is $(ulimit -n), need $((IDLE_BIG + 1000))"

# ------------------------------------------------------------------ work dir and cleanup

WORK="$(mktemp -d /tmp/mrbench.XXXXXX)"
chmod 755 "$WORK"
RAW="$WORK/results"
mkdir -p "$RAW"
IDLE_GEN_PID=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$IDLE_GEN_PID" ]; then
        kill "$IDLE_GEN_PID" 2>/dev/null || true
        wait "$IDLE_GEN_PID" 2>/dev/null || true
    fi
    mailroom_stop
    dovecot_stop
    postfix_stop
    if [ "$KEEP" = 1 ] || [ "$rc" != 0 ]; then
        echo "compare: work directory kept: $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'echo "compare: interrupted" >&2; exit 130' INT TERM

# The generator is another engineer's module, rebuilt at times: this run uses its own copy.
cp "$JAR" "$WORK/mailroom-load.jar"
JAR="$WORK/mailroom-load.jar"

# ------------------------------------------------------------------ mail and servers

POP_USERS=()
for ((i = 0; i < USERS; i++)); do POP_USERS+=("load$i"); done
IN_USERS=()
for ((i = 0; i < RCPT_USERS; i++)); do IN_USERS+=("in$i"); done
BIG_USERS=()
for ((i = 0; i < LARGE_COPIES; i++)); do BIG_USERS+=("big$i"); done
CPU_USERS_LIST=()
for ((i = 0; i < CPU_USERS; i++)); do CPU_USERS_LIST+=("cpu$i"); done
ALL_USERS=("${POP_USERS[@]}" "${BIG_USERS[@]}" "${IN_USERS[@]}" "${CPU_USERS_LIST[@]}")  # + IDLE_USERS, set after the fill

refs_log "filling $USERS users x $MESSAGES messages (4-50 KB, seed 1) + big0..big$((LARGE_COPIES - 1)) (${LARGE_MB} MB each)"
java -jar "$JAR" fill --dir "$WORK/fill" --users "$USERS" --messages "$MESSAGES" --min-kb 4 --max-kb 50 \
    --seed 1 --user-prefix load --large-user big --large-mb "$LARGE_MB" --large-copies "$LARGE_COPIES" \
    >"$RAW/fill.out" 2>&1 ||
    refs_die "fill failed: $(tail -n 5 "$RAW/fill.out")"
MANIFEST="$WORK/fill/manifest.tsv"
java -jar "$JAR" fill --dir "$WORK/cpufill" --users "$CPU_USERS" --messages "$CPU_MESSAGES" --min-kb 18 --max-kb 18 \
    --seed 3 --user-prefix cpu >"$RAW/fill-cpu.out" 2>&1 ||
    refs_die "fill of the 18 KB users failed: $(tail -n 5 "$RAW/fill-cpu.out")"
CPU_MANIFEST="$WORK/cpufill/manifest.tsv"
# Idle sessions: one mailbox per session too (Mailroom's lock), idle0..idle<N-1> with one 4 KB
# message each.
NIDLE=0
if wanted idle-1000; then NIDLE=$IDLE_SMALL; fi
if wanted idle-10000; then NIDLE=$IDLE_BIG; fi
IDLE_USERS=()
for ((i = 0; i < NIDLE; i++)); do IDLE_USERS+=("idle$i"); done
if [ "$NIDLE" -gt 0 ]; then
    java -jar "$JAR" fill --dir "$WORK/idlefill" --users "$NIDLE" --messages 1 --min-kb 4 --max-kb 4 --seed 2 \
        --user-prefix idle >"$RAW/fill-idle.out" 2>&1 || refs_die "fill of the idle users failed: $(tail -n 5 "$RAW/fill-idle.out")"
fi
IDLE_MANIFEST="$WORK/idlefill/manifest.tsv"
AVG_KB="$(awk -F'\t' '$1 !~ /^big[0-9]*$/ { n++; s += $2 } END { printf "%.2f", s / n / 1024 }' "$MANIFEST")"
refs_log "fill: $(grep RESULT "$RAW/fill.out" | head -c 300); mean wire size $AVG_KB KB"

refs_log "setting up the servers"
bench_user_ensure
DMAIL="$WORK/dovecot-mail"
MRMAIL_PARENT="$WORK/mailroom"
PMAIL="$WORK/postfix-mail"
copy_mail() {
    # Each server gets its own directories (it renames its files: cur/ flags, new/ to cur/), with
    # hard links to the generated files: neither server writes a message file, and one copy of
    # each in the page cache (this VM keeps it near 1.3 GB) is what keeps the POP3 runs of later
    # rounds from reading the disk. The 64 copies of the large message are links to one file.
    local dst="$1" u
    mkdir -p "$dst"
    (cd "$WORK/fill" && cp -rl "${POP_USERS[@]}" "${BIG_USERS[@]}" "$dst/")
    (cd "$WORK/cpufill" && cp -rl "${CPU_USERS_LIST[@]}" "$dst/")
    if [ "$NIDLE" -gt 0 ]; then (cd "$WORK/idlefill" && cp -rl "${IDLE_USERS[@]}" "$dst/"); fi
}
ALL_USERS+=("${IDLE_USERS[@]}")
copy_mail "$DMAIL"
chown -R bench:bench "$DMAIL"
mkdir -p "$PMAIL"
chown bench:bench "$PMAIL"

dovecot_setup "$WORK/dovecot" "$DMAIL" "${ALL_USERS[@]}"
postfix_setup "$WORK/postfix" "$PMAIL" "${IN_USERS[@]}"
mailroom_setup "$MRMAIL_PARENT" "$TARBALL" "${ALL_USERS[@]}"
MRMAIL="$MAILROOM_DIR/data/mail"
copy_mail "$MRMAIL"
# No welcome messages in the bench's new mailboxes (Dovecot delivers none either).
mkdir -p "$MAILROOM_DIR/welcome-none"
sed -i "s|^welcomeMessages *=.*|welcomeMessages = $MAILROOM_DIR/welcome-none|" \
    "$MAILROOM_DIST/etc/org.mailroom.store.maildir.cfg"

ROUND_RUNS=0
for scen in "${SCENARIOS[@]}"; do
    if wanted "$scen"; then ROUND_RUNS=1; fi
done

dovecot_start
postfix_start
# Memory is measured with Native Memory Tracking, throughput without its overhead.
if [ "$ROUND_RUNS" = 1 ]; then mailroom_start; else mailroom_start "-XX:NativeMemoryTracking=summary"; fi

# ------------------------------------------------------------------ runs

FAILED=0
# run_gen ROUND SCENARIO SERVER GENERATOR-ARGS...: one generator run, its output kept, its
# RESULT line appended to results.tsv; a non-zero exit is a failure, loudly.
run_gen() {
    local round="$1" scen="$2" server="$3" rc=0 out line
    shift 3
    out="$RAW/$round-$scen-$server.out"
    echo "java -jar bench/load/target/mailroom-load.jar $*" >"$out.cmd"
    java -jar "$JAR" "$@" >"$out" 2>&1 || rc=$?
    line="$(grep '^RESULT ' "$out" | tail -n 1 | cut -c8- || true)"
    [ -n "$line" ] || line='{"verified": false, "error": "no RESULT line"}'
    printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$scen" "$server" "$rc" "$line" >>"$RAW/results.tsv"
    if [ "$rc" != 0 ]; then
        FAILED=$((FAILED + 1))
        echo "compare: FAILED: round $round $scen on $server (exit $rc):" >&2
        grep -v '^RESULT ' "$out" | tail -n 15 >&2
        echo "RESULT $line" >&2
    else
        refs_log "round $round $scen $server: $(grep '^cpu:' "$out" | tail -n 1)"
        summarize "$line"
    fi
}

summarize() {
    python3 -c '
import json, sys
r = json.loads(sys.argv[1])
keys = ["messages_per_s", "mb_per_s", "retr_p50_ms", "logins_per_s", "login_p99_ms", "server_cpu_us_per_message",
        "server_cpu_us_per_login", "baseline_login_p99_ms", "loaded_login_p99_ms", "login_p99_ratio",
        "accepted_per_s", "stored_per_s", "lost", "duplicated", "cpu_rest_s", "wall_s"]
print("    " + ", ".join("%s=%s" % (k, round(r[k], 2) if isinstance(r[k], float) else r[k]) for k in keys if k in r))
' "$1" >&2
}

server_pid() {
    case "$1" in
        dovecot) echo "$DOVECOT_PID" ;;
        postfix) echo "$POSTFIX_PID" ;;
        mailroom) echo "$MAILROOM_LAUNCHER_PID" ;;
    esac
}

pop3_port() {
    case "$1:$2" in
        dovecot:plain) echo "$DOVECOT_POP3_PORT" ;;
        dovecot:tls) echo "$DOVECOT_POP3S_PORT" ;;
        mailroom:plain) echo "$MR_POP3_PORT" ;;
        mailroom:tls) echo "$MR_POP3S_PORT" ;;
    esac
}

# scenario ROUND NAME SERVER(mailroom|ref)
scenario() {
    local round="$1" scen="$2" who="$3" server port pid root
    local common=(--host 127.0.0.1 --manifest "$MANIFEST" --users "$USERS" --user-prefix load --password load
        --seconds "$SECONDS_RUN" --warmup-seconds "$WARMUP")
    case "$scen" in
        smtp-*) server=$([ "$who" = ref ] && echo postfix || echo mailroom) ;;
        *) server=$([ "$who" = ref ] && echo dovecot || echo mailroom) ;;
    esac
    pid="$(server_pid "$server")"
    case "$scen" in
        pop3-*)
            run_gen "$round" "$scen" "$server" pop3 "${common[@]}" --port "$(pop3_port "$server" plain)" \
                --scenario full --clients "${scen#pop3-}" --server-pid "$pid" ;;
        cpu18-*)
            run_gen "$round" "$scen" "$server" pop3 --host 127.0.0.1 --port "$(pop3_port "$server" plain)" \
                --manifest "$CPU_MANIFEST" --users "$CPU_USERS" --user-prefix cpu --password load \
                --seconds "$SECONDS_RUN" --warmup-seconds "$WARMUP" \
                --scenario full --clients "${scen#cpu18-}" --server-pid "$pid" ;;
        pop3s-*)
            run_gen "$round" "$scen" "$server" pop3 "${common[@]}" --port "$(pop3_port "$server" tls)" --tls \
                --scenario full --clients "${scen#pop3s-}" --server-pid "$pid" ;;
        large)
            run_gen "$round" "$scen" "$server" pop3 "${common[@]}" --port "$(pop3_port "$server" plain)" \
                --scenario large --clients 1 --large-user big --server-pid "$pid" ;;
        churn)
            run_gen "$round" "$scen" "$server" pop3 "${common[@]}" --port "$(pop3_port "$server" plain)" \
                --scenario churn --clients 8 --server-pid "$pid" ;;
        login-under-load)
            run_gen "$round" "$scen" "$server" pop3 "${common[@]}" --port "$(pop3_port "$server" plain)" \
                --scenario login-under-load --clients 64 --large-user big --server-pid "$pid" ;;
        smtp-* | lmtp-*)
            local senders="${scen#*-}" proto="${scen%%-*}" msgs
            msgs="SMTP_MSGS_$senders"
            case "$server" in
                postfix) port="$POSTFIX_SMTP_PORT"; root="$PMAIL" ;;
                dovecot) port="$DOVECOT_LMTP_PORT"; root="$DMAIL" ;;
                mailroom) port=$([ "$proto" = smtp ] && echo "$MR_SMTP_PORT" || echo "$MR_LMTP_PORT"); root="$MRMAIL" ;;
            esac
            run_gen "$round" "$scen" "$server" "$proto" --host 127.0.0.1 --port "$port" --clients "$senders" \
                --messages "${!msgs}" --size-kb 18 --rcpt-prefix in --rcpt-domain bench.test --users "$RCPT_USERS" \
                --seed "$round" --run-id "r$round-$scen-$server" --server-pid "$pid" \
                --maildir-root "$root" --wait-seconds 120 ;;
    esac
}

# First contact with every mailbox (Dovecot builds its index and uidlist, Mailroom its caches):
# one verified pass per server, not measured.
[ "$ROUND_RUNS" = 1 ] && refs_log "warm-up: one full pass over every mailbox on each server"
for server in dovecot mailroom; do
    [ "$ROUND_RUNS" = 1 ] || break
    run_gen 0 warmup "$server" pop3 --host 127.0.0.1 --port "$(pop3_port "$server" plain)" --manifest "$MANIFEST" \
        --users "$USERS" --user-prefix load --password load --scenario full --clients "$USERS" \
        --seconds 1 --warmup-seconds 0 --server-pid "$(server_pid "$server")"
    if wanted cpu18-1 || wanted cpu18-8 || wanted cpu18-64; then
        run_gen 0 warmup-cpu "$server" pop3 --host 127.0.0.1 --port "$(pop3_port "$server" plain)" \
            --manifest "$CPU_MANIFEST" --users "$CPU_USERS" --user-prefix cpu --password load --scenario full \
            --clients "$CPU_USERS" --seconds 1 --warmup-seconds 0 --server-pid "$(server_pid "$server")"
    fi
done

for ((round = 1; round <= ROUNDS; round++)); do
    for scen in "${SCENARIOS[@]}"; do
        wanted "$scen" || continue
        if ((round % 2 == 1)); then order=(ref mailroom); else order=(mailroom ref); fi
        for who in "${order[@]}"; do
            scenario "$round" "$scen" "$who"
            sleep 1 # a short pause between measured runs
        done
    done
done

# ------------------------------------------------------------------ idle sessions (memory)

pss_kib() {
    # Sum of Pss over the process tree rooted at $1.
    local pids
    pids="$(ps -e -o pid=,ppid= | awk -v root="$1" '
        { parent[$1] = $2 } END {
            keep[root] = 1; changed = 1
            while (changed) { changed = 0; for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; changed = 1 } }
            for (p in keep) print p }')"
    local total=0 p v
    for p in $pids; do
        v="$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || true)"
        total=$((total + ${v:-0}))
    done
    echo "$total"
}

mailroom_mem_kib() {
    # Heap used after a full GC plus native memory outside the heap (NMT committed total minus
    # the Java Heap's committed).
    local pid="$MAILROOM_JAVA_PID" heap nmt total jheap
    jcmd "$pid" GC.run >/dev/null
    heap="$(jcmd "$pid" GC.heap_info | grep -o 'used [0-9]*K' | head -n 1 | tr -dc 0-9)"
    nmt="$(jcmd "$pid" VM.native_memory summary)"
    total="$(echo "$nmt" | grep -o '^Total: reserved=[0-9]*KB, committed=[0-9]*KB' | sed 's/.*committed=//; s/KB//')"
    jheap="$(echo "$nmt" | grep 'Java Heap (' | grep -o 'committed=[0-9]*KB' | head -n 1 | tr -dc 0-9)"
    [ -n "$heap" ] && [ -n "$total" ] && [ -n "$jheap" ] || refs_die "cannot read Mailroom's heap/NMT figures"
    echo "$heap $((total - jheap))"
}

server_mem_kib() {
    if [ "$1" = mailroom ]; then mailroom_mem_kib; else pss_kib "$DOVECOT_PID"; fi
}

# idle_hold SERVER COUNT OUT MEASURE: COUNT logged-in sessions held by the generator (output in
# OUT) until they are all in; with MEASURE=1 the server's memory then is left in IDLE_AFTER.
# Sets IDLE_RC to the generator's exit status.
idle_hold() {
    local server="$1" count="$2" out="$3" measure="$4" i
    IDLE_AFTER=""
    IDLE_RC=0
    rm -f "$WORK/idle.fifo"
    mkfifo "$WORK/idle.fifo"
    exec 5<>"$WORK/idle.fifo"
    : >"$out"
    java -jar "$JAR" pop3 --host 127.0.0.1 --port "$(pop3_port "$server" plain)" --manifest "$IDLE_MANIFEST" \
        --users "$count" --user-prefix idle --password load --scenario idle --clients "$count" \
        --server-pid "$(server_pid "$server")" <&5 >"$out" 2>&1 &
    IDLE_GEN_PID=$!
    # The generator says when its sessions are all logged in (IDLE_READY); waiting for that line.
    for ((i = 0; i < 6000; i++)); do
        grep -q '^IDLE_READY' "$out" && break
        kill -0 "$IDLE_GEN_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [ "$measure" = 1 ] && grep -q '^IDLE_READY' "$out"; then IDLE_AFTER="$(server_mem_kib "$server")"; fi
    echo >&5
    wait "$IDLE_GEN_PID" || IDLE_RC=$?
    IDLE_GEN_PID=""
    exec 5>&-
}

# idle_run SERVER COUNT: hold COUNT logged-in sessions, memory before and while held. A first,
# unmeasured hold of as many sessions pays the one-time costs (worker threads started, code
# compiled, allocator arenas) so that the figure is what each held session costs.
idle_run() {
    local server="$1" count="$2" out before after rc
    out="$RAW/idle-$count-$server.out"
    idle_hold "$server" "$count" "$RAW/idle-$count-$server.warmup.out" 0
    before="$(server_mem_kib "$server")"
    idle_hold "$server" "$count" "$out" 1
    after="$IDLE_AFTER"
    rc="$IDLE_RC"
    local line
    line="$(grep '^RESULT ' "$out" | tail -n 1 | cut -c8- || true)"
    [ -n "$line" ] || line='{"verified": false, "error": "no RESULT line"}'
    if [ -z "${after:-}" ] && [ "$rc" = 0 ]; then rc=1; fi
    # memory figures added to the JSON: mem_before_kib, mem_after_kib, bytes_per_session
    line="$(python3 -c '
import json, sys
r = json.loads(sys.argv[1]); server = sys.argv[2]; count = int(sys.argv[3])
b = [int(x) for x in sys.argv[4].split()] if sys.argv[4] else []
a = [int(x) for x in sys.argv[5].split()] if sys.argv[5] else []
if a:
    r["mem_before_kib"] = sum(b); r["mem_after_kib"] = sum(a)
    if server == "mailroom":
        r["heap_before_kib"], r["native_before_kib"] = b; r["heap_after_kib"], r["native_after_kib"] = a
    r["bytes_per_session"] = (sum(a) - sum(b)) * 1024.0 / count
print(json.dumps(r))' "$line" "$server" "$count" "$before" "${after:-}")"
    printf '%s\t%s\t%s\t%s\t%s\n' 1 "idle-$count" "$server" "$rc" "$line" >>"$RAW/results.tsv"
    if [ "$rc" != 0 ]; then
        FAILED=$((FAILED + 1))
        echo "compare: FAILED: idle $count on $server (exit $rc):" >&2
        tail -n 15 "$out" >&2
    else
        refs_log "idle $count $server: memory $before -> $after KiB: $(echo "$line" | grep -o '"bytes_per_session": [0-9.]*')"
    fi
}

if wanted idle-1000 || wanted idle-10000; then
    if [ "$ROUND_RUNS" = 1 ]; then
        mailroom_stop
        mailroom_start "-XX:NativeMemoryTracking=summary"
    fi
    if wanted idle-1000; then
        idle_run dovecot "$IDLE_SMALL"
        sleep 1
        idle_run mailroom "$IDLE_SMALL"
        sleep 1
    fi
    if wanted idle-10000; then
        # Mailroom only: Dovecot runs one pop3 process per logged-in POP3 session.
        idle_run mailroom "$IDLE_BIG"
    fi
fi

# ------------------------------------------------------------------ logs and report

DOVECOT_PROBLEMS="$(dovecot_log_problems)"
POSTFIX_PROBLEMS="$(postfix_log_problems)"
MAILROOM_PROBLEMS="$(mailroom_log_problems)"
cp "$DOVECOT_DIR/dovecot.log" "$RAW/dovecot.log" 2>/dev/null || true
cp "$POSTFIX_DIR/maillog" "$RAW/postfix.maillog" 2>/dev/null || true
cp "$MAILROOM_DIST/data/log/karaf.log" "$RAW/mailroom-karaf.log" 2>/dev/null || true
mailroom_stop
dovecot_stop
postfix_stop

MACHINE="$(
    echo "nproc $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//');" \
        "RAM $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); kernel $(uname -r)"
)"
VERSIONS="$(
    echo "Java $(java -version 2>&1 | head -n 1 | sed 's/.*version "\([^"]*\)".*/\1/');" \
        "Dovecot $(dovecot --version); Postfix $(postconf -d -h mail_version);" \
        "Mailroom $(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet HEAD -- bundles features assembly 2>/dev/null || echo ' (with uncommitted changes)')"
)"

export CMDLINE MACHINE VERSIONS AVG_KB CPU_MESSAGES ROUNDS SECONDS_RUN USERS MESSAGES LARGE_MB IDLE_SMALL IDLE_BIG QUICK FAILED
export DOVECOT_PROBLEMS POSTFIX_PROBLEMS MAILROOM_PROBLEMS SMTP_MSGS_1 SMTP_MSGS_8 SMTP_MSGS_64
python3 "$REPO/bench/refs/report.py" "$RAW/results.tsv" "$REPO/bench/RESULTS.md"
refs_log "wrote bench/RESULTS.md"
[ -z "$DOVECOT_PROBLEMS" ] || echo "compare: Dovecot logged problems:
$DOVECOT_PROBLEMS" >&2
[ -z "$POSTFIX_PROBLEMS" ] || echo "compare: Postfix logged problems:
$POSTFIX_PROBLEMS" >&2
if [ "$FAILED" != 0 ]; then
    echo "compare: $FAILED run(s) FAILED verification; see the FAILED rows in bench/RESULTS.md" >&2
    exit 1
fi

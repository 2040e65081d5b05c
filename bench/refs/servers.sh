# Start/stop helpers for the servers bench/compare.sh compares: a private Dovecot 2.3 (POP3,
# POP3S, LMTP), a private Postfix (SMTP into Maildir) and the built Mailroom distribution.
# Sourced, not run. Every server gets its own directory under the caller's work dir, listens on
# free loopback ports only and is stopped by the matching *_stop function (compare.sh calls
# them from its EXIT trap). Nothing here touches the system's Dovecot or Postfix.
#
# Functions set these globals:
#   DOVECOT_DIR DOVECOT_CONF DOVECOT_PID DOVECOT_POP3_PORT DOVECOT_POP3S_PORT DOVECOT_LMTP_PORT
#   POSTFIX_DIR POSTFIX_CONF POSTFIX_PID POSTFIX_SMTP_PORT
#   MAILROOM_DIR MAILROOM_DIST MAILROOM_LAUNCHER_PID MAILROOM_JAVA_PID MAILROOM_POP3_PORT_ ...
#   BENCH_UID BENCH_GID (the unprivileged owner of the reference servers' mail)

REFS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

refs_log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
refs_die() {
    echo "compare: $*" >&2
    exit 1
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT SECONDS [PID]: until 127.0.0.1:PORT accepts a connection; fails early if the
# given process is gone.
wait_port() {
    local port="$1" secs="$2" pid="${3:-}" i
    for ((i = 0; i < secs * 10; i++)); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        sleep 0.1
    done
    return 1
}

# wait_gone PID SECONDS: until the process has exited (it need not be our child).
wait_gone() {
    local pid="$1" secs="$2" i
    for ((i = 0; i < secs * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    return 1
}

# The reference servers' mail processes run as this user (created once, no login, no home).
bench_user_ensure() {
    if ! id bench >/dev/null 2>&1; then
        refs_log "creating the system user 'bench' (owner of the reference servers' mail)"
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin bench
    fi
    BENCH_UID="$(id -u bench)"
    BENCH_GID="$(id -g bench)"
    # Postfix's virtual(8) refuses uids below virtual_minimum_uid, Dovecot below first_valid_uid:
    # both are set to this uid in the templates.
}

# users_passwd FILE UID GID MAILROOT NAME...: Dovecot passwd-file lines, password "load".
users_passwd() {
    local file="$1" uid="$2" gid="$3" root="$4" u
    shift 4
    for u in "$@"; do
        echo "$u:{PLAIN}load:$uid:$gid::$root/$u::"
    done >"$file"
}

fill_template() {
    # fill_template IN OUT KEY=VALUE...
    local in="$1" out="$2" kv script=()
    shift 2
    for kv in "$@"; do
        script+=(-e "s|@${kv%%=*}@|${kv#*=}|g")
    done
    sed "${script[@]}" "$in" >"$out"
    if grep -q '@[A-Z0-9_]*@' "$out"; then
        refs_die "unfilled placeholder in $out: $(grep -o '@[A-Z0-9_]*@' "$out" | sort -u | tr '\n' ' ')"
    fi
}

# ---------------------------------------------------------------- Dovecot

# dovecot_setup DIR MAILROOT USERS...: config, users, self-signed certificate.
dovecot_setup() {
    DOVECOT_DIR="$1"
    local mail="$2"
    shift 2
    mkdir -p "$DOVECOT_DIR"/{run,state,tls}
    chmod 755 "$DOVECOT_DIR"
    DOVECOT_POP3_PORT="$(free_port)"
    DOVECOT_POP3S_PORT="$(free_port)"
    DOVECOT_LMTP_PORT="$(free_port)"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=dovecot.bench.test" \
        -keyout "$DOVECOT_DIR/tls/server.key" -out "$DOVECOT_DIR/tls/server.crt" >/dev/null 2>&1 ||
        refs_die "openssl could not make Dovecot's certificate"
    users_passwd "$DOVECOT_DIR/users" "$BENCH_UID" "$BENCH_GID" "$mail" "$@"
    DOVECOT_CONF="$DOVECOT_DIR/dovecot.conf"
    fill_template "$REFS_DIR/dovecot.conf.in" "$DOVECOT_CONF" \
        WORK="$DOVECOT_DIR" MAIL="$mail" UID="$BENCH_UID" CORES="$(nproc)" \
        POP3_PORT="$DOVECOT_POP3_PORT" POP3S_PORT="$DOVECOT_POP3S_PORT" LMTP_PORT="$DOVECOT_LMTP_PORT"
    local check
    check="$(doveconf -c "$DOVECOT_CONF" -n 2>&1 >/dev/null)" || refs_die "doveconf -c $DOVECOT_CONF failed: $check"
    [ -z "$check" ] || refs_die "doveconf -c $DOVECOT_CONF is not clean: $check"
}

dovecot_start() {
    # -F: the master stays in the foreground, so its pid is ours to watch and to stop.
    dovecot -F -c "$DOVECOT_CONF" >>"$DOVECOT_DIR/dovecot.out" 2>&1 &
    DOVECOT_PID=$!
    wait_port "$DOVECOT_POP3_PORT" 30 "$DOVECOT_PID" && wait_port "$DOVECOT_LMTP_PORT" 30 "$DOVECOT_PID" &&
        wait_port "$DOVECOT_POP3S_PORT" 30 "$DOVECOT_PID" ||
        refs_die "Dovecot did not start: $(tail -n 20 "$DOVECOT_DIR/dovecot.out" "$DOVECOT_DIR/dovecot.log" 2>/dev/null)"
    refs_log "Dovecot $(dovecot --version | cut -d' ' -f1) master pid $DOVECOT_PID: POP3 $DOVECOT_POP3_PORT, POP3S $DOVECOT_POP3S_PORT, LMTP $DOVECOT_LMTP_PORT"
}

dovecot_stop() {
    [ -n "${DOVECOT_PID:-}" ] || return 0
    if kill -0 "$DOVECOT_PID" 2>/dev/null; then
        kill -TERM "$DOVECOT_PID" 2>/dev/null || true
        wait_gone "$DOVECOT_PID" 20 || kill -KILL "$DOVECOT_PID" 2>/dev/null || true
    fi
    wait "$DOVECOT_PID" 2>/dev/null || true
    DOVECOT_PID=""
}

# Errors and warnings Dovecot logged (empty when clean).
dovecot_log_problems() {
    grep -h -E '(Error|Fatal|Panic|Warning):' "$DOVECOT_DIR/dovecot.log" 2>/dev/null | head -n 20 || true
}

# ---------------------------------------------------------------- Postfix

# postfix_setup DIR MAILROOT USERS...
postfix_setup() {
    POSTFIX_DIR="$1"
    local mail="$2" u
    shift 2
    mkdir -p "$POSTFIX_DIR"/{conf,queue,data}
    chmod 755 "$POSTFIX_DIR"
    # The queue directory belongs to root (postfix start makes its subdirectories with the
    # owners each needs); the data directory to the mail_owner.
    chown root:root "$POSTFIX_DIR/queue"
    chown postfix "$POSTFIX_DIR/data"
    POSTFIX_SMTP_PORT="$(free_port)"
    POSTFIX_CONF="$POSTFIX_DIR/conf"
    for u in "$@"; do
        echo "$u@bench.test $u/"
    done >"$POSTFIX_DIR/virtual_mailbox"
    fill_template "$REFS_DIR/postfix-main.cf.in" "$POSTFIX_CONF/main.cf" \
        WORK="$POSTFIX_DIR" QUEUE="$POSTFIX_DIR/queue" MAIL="$mail" UID="$BENCH_UID" GID="$BENCH_GID"
    fill_template "$REFS_DIR/postfix-master.cf.in" "$POSTFIX_CONF/master.cf" LISTEN="127.0.0.1:$POSTFIX_SMTP_PORT"
    local out
    out="$(postfix -c "$POSTFIX_CONF" check 2>&1)" || refs_die "postfix check failed: $out"
    [ -z "$out" ] || refs_log "postfix check: $out"
}

postfix_start() {
    postfix -c "$POSTFIX_CONF" start >>"$POSTFIX_DIR/postfix.out" 2>&1 ||
        refs_die "postfix start failed: $(cat "$POSTFIX_DIR/postfix.out" "$POSTFIX_DIR/maillog" 2>/dev/null | tail -n 20)"
    local i
    for ((i = 0; i < 100; i++)); do
        POSTFIX_PID="$(tr -dc 0-9 <"$POSTFIX_DIR/queue/pid/master.pid" 2>/dev/null || true)"
        [ -n "$POSTFIX_PID" ] && break
        sleep 0.1
    done
    [ -n "$POSTFIX_PID" ] || refs_die "no Postfix master.pid"
    wait_port "$POSTFIX_SMTP_PORT" 30 "$POSTFIX_PID" ||
        refs_die "Postfix smtpd not listening: $(tail -n 20 "$POSTFIX_DIR/maillog" 2>/dev/null)"
    refs_log "Postfix $(postconf -c "$POSTFIX_CONF" -h mail_version) master pid $POSTFIX_PID: SMTP $POSTFIX_SMTP_PORT"
}

postfix_stop() {
    [ -n "${POSTFIX_PID:-}" ] || return 0
    postfix -c "$POSTFIX_CONF" stop >>"$POSTFIX_DIR/postfix.out" 2>&1 || true
    wait_gone "$POSTFIX_PID" 20 || {
        postfix -c "$POSTFIX_CONF" abort >>"$POSTFIX_DIR/postfix.out" 2>&1 || true
        wait_gone "$POSTFIX_PID" 10 || kill -KILL "$POSTFIX_PID" 2>/dev/null || true
    }
    POSTFIX_PID=""
}

postfix_log_problems() {
    grep -h -E '(warning|error|fatal|panic):' "$POSTFIX_DIR/maillog" 2>/dev/null | head -n 20 || true
}

# ---------------------------------------------------------------- Mailroom

# mailroom_setup DIR TARBALL USERS...: extract the distribution, users file, limits lifted.
mailroom_setup() {
    MAILROOM_DIR="$1"
    local tarball="$2" u f
    shift 2
    mkdir -p "$MAILROOM_DIR/data/mail"
    tar -xzf "$tarball" -C "$MAILROOM_DIR"
    MAILROOM_DIST="$(ls -d "$MAILROOM_DIR"/mailroom-assembly-*/ | head -n 1)"
    MAILROOM_DIST="${MAILROOM_DIST%/}"
    [ -x "$MAILROOM_DIST/bin/karaf" ] || refs_die "no bin/karaf in $tarball"
    (
        umask 077
        for u in "$@"; do echo "$u:{PLAIN}load"; done >"$MAILROOM_DIR/users.passwd"
    )
    # Every load client comes from 127.0.0.1, up to 10,000 at once: lift the count and rate
    # guards of every listener.
    for f in "$MAILROOM_DIST"/etc/org.mailroom.listener-*.cfg; do
        sed -i -e 's/^maxConnections *=.*/maxConnections = 100000/' \
            -e 's/^maxConnectionsPerIp *=.*/maxConnectionsPerIp = 100000/' \
            -e 's/^maxConnectionRatePerIp *=.*/maxConnectionRatePerIp = 10000000/' "$f"
        grep -q '^maxConnectionsPerIp = 100000' "$f" || refs_die "could not lift the limits in $f"
    done
    MR_POP3_PORT="$(free_port)"
    MR_POP3S_PORT="$(free_port)"
    MR_SMTP_PORT="$(free_port)"
    MR_SUBMISSION_PORT="$(free_port)"
    MR_SMTPS_PORT="$(free_port)"
    MR_LMTP_PORT="$(free_port)"
}

# mailroom_start [EXTRA_JAVA_OPTS]
mailroom_start() {
    local extra="${1:-}" java
    java="$(readlink -f "$(command -v java)")"
    (
        export JAVA_HOME="${JAVA_HOME:-$(cd "$(dirname "$java")/.." && pwd)}"
        export MAILROOM_DATA="$MAILROOM_DIR/data" MAILROOM_USERS_FILE="$MAILROOM_DIR/users.passwd"
        export MAILROOM_BIND=127.0.0.1 MAILROOM_LMTP_BIND=127.0.0.1 MAILROOM_DOMAINS=bench.test
        export MAILROOM_POP3_PORT="$MR_POP3_PORT" MAILROOM_POP3S_PORT="$MR_POP3S_PORT"
        export MAILROOM_SMTP_PORT="$MR_SMTP_PORT" MAILROOM_SUBMISSION_PORT="$MR_SUBMISSION_PORT"
        export MAILROOM_SMTPS_PORT="$MR_SMTPS_PORT" MAILROOM_LMTP_PORT="$MR_LMTP_PORT"
        export EXTRA_JAVA_OPTS="$extra"
        exec "$MAILROOM_DIST/bin/karaf" server </dev/null >>"$MAILROOM_DIR/karaf.out" 2>&1
    ) &
    MAILROOM_LAUNCHER_PID=$!
    local p
    for p in "$MR_POP3_PORT" "$MR_POP3S_PORT" "$MR_SMTP_PORT" "$MR_LMTP_PORT"; do
        wait_port "$p" 180 "$MAILROOM_LAUNCHER_PID" ||
            refs_die "Mailroom did not open port $p: $(tail -n 20 "$MAILROOM_DIR/karaf.out" "$MAILROOM_DIST/data/log/karaf.log" 2>/dev/null)"
    done
    MAILROOM_JAVA_PID="$(pgrep -P "$MAILROOM_LAUNCHER_PID" java | head -n 1 || true)"
    [ -n "$MAILROOM_JAVA_PID" ] || refs_die "no java child of the Mailroom launcher $MAILROOM_LAUNCHER_PID"
    refs_log "Mailroom launcher pid $MAILROOM_LAUNCHER_PID, java pid $MAILROOM_JAVA_PID: POP3 $MR_POP3_PORT, POP3S $MR_POP3S_PORT, SMTP $MR_SMTP_PORT, LMTP $MR_LMTP_PORT${extra:+ ($extra)}"
}

mailroom_stop() {
    [ -n "${MAILROOM_LAUNCHER_PID:-}" ] || return 0
    # bin/karaf runs java as its child: stop the JVM (its shutdown hook stops Karaf), then the
    # launcher ends by itself.
    if [ -n "${MAILROOM_JAVA_PID:-}" ] && kill -0 "$MAILROOM_JAVA_PID" 2>/dev/null; then
        kill -TERM "$MAILROOM_JAVA_PID" 2>/dev/null || true
        wait_gone "$MAILROOM_JAVA_PID" 60 || kill -KILL "$MAILROOM_JAVA_PID" 2>/dev/null || true
    fi
    if kill -0 "$MAILROOM_LAUNCHER_PID" 2>/dev/null; then
        wait_gone "$MAILROOM_LAUNCHER_PID" 10 || kill -KILL "$MAILROOM_LAUNCHER_PID" 2>/dev/null || true
    fi
    wait "$MAILROOM_LAUNCHER_PID" 2>/dev/null || true
    MAILROOM_LAUNCHER_PID=""
    MAILROOM_JAVA_PID=""
}

mailroom_log_problems() {
    grep -h -E ' (ERROR|WARN) ' "$MAILROOM_DIST/data/log/karaf.log" 2>/dev/null | head -n 20 || true
}

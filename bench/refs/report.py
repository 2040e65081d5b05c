#!/usr/bin/env python3
"""Writes the generated part of bench/RESULTS.md from compare.sh's results.tsv.

results.tsv: one line per generator run: round, scenario, server, exit status, RESULT json.
The figures are medians over the rounds. Everything after the end marker of an existing
RESULTS.md (or, without markers, from a "## Profile notes" heading on) is kept as it is.
Run info comes from the environment compare.sh exports.
"""

import datetime
import json
import os
import statistics
import sys

BEGIN = "<!-- compare.sh: generated part begins; edit below the end marker only -->"
END = "<!-- compare.sh: generated part ends -->"

env = os.environ.get
AVG_KB = float(env("AVG_KB", "27"))

runs = {}  # (scenario, server) -> list of (round, rc, json)
for line in open(sys.argv[1], encoding="utf-8"):
    parts = line.rstrip("\n").split("\t", 4)
    if len(parts) != 5:
        continue
    rnd, scen, server, rc, js = parts
    try:
        r = json.loads(js)
    except ValueError:
        r = {"verified": False, "error": "unparsable RESULT"}
    runs.setdefault((scen, server), []).append((int(rnd), int(rc), r))


def failed(scen, server):
    return any(rc != 0 or r.get("verified") is False for _, rc, r in runs.get((scen, server), []))


def values(scen, server, key):
    return [r[key] for _, rc, r in runs.get((scen, server), []) if isinstance(r.get(key), (int, float))]


def median(scen, server, key):
    v = values(scen, server, key)
    return statistics.median(v) if v else None


def fmt(x):
    if x is None:
        return "–"
    a = abs(x)
    if a >= 1000:
        return f"{x:,.0f}"
    if a >= 100:
        return f"{x:.0f}"
    if a >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def cell(scen, server, key):
    if not runs.get((scen, server)):
        return "–"
    if failed(scen, server):
        return "**FAILED**"
    v = values(scen, server, key)
    if not v:
        if key.startswith("loaded_login") and any(r.get("loaded_logins") == 0 for _, _, r in runs[(scen, server)]):
            return "no login done in the window"
        return "–"
    m = statistics.median(v)
    if len(v) > 1:
        return f"{fmt(m)} ({fmt(min(v))}–{fmt(max(v))})"
    return fmt(m)


def ref_of(scen):
    return "postfix" if scen.startswith("smtp") else "dovecot"


CPU_KEYS = [
    # SMTP/LMTP: CPU up to the last message stored (Mailroom delivers from its spool after the
    # 250), so before the per-accepted-message figure
    ("server_cpu_us_per_stored_message", "µs/msg"),
    ("server_cpu_us_per_message", "µs/msg"),
    ("server_cpu_us_per_login", "µs/login"),
    ("server_cpu_us_per_mb", "µs/MB"),
]


def cpu_cell(scen):
    for key, unit in CPU_KEYS:
        a, b = median(scen, ref_of(scen), key), median(scen, "mailroom", key)
        if a is not None or b is not None:
            return f"{fmt(a)} / {fmt(b)} {unit}"
    return "–"


def rest_cell(scen):
    worst = None
    for server in (ref_of(scen), "mailroom"):
        for _, _, r in runs.get((scen, server), []):
            if isinstance(r.get("cpu_rest_s"), (int, float)) and r.get("wall_s"):
                pct = 100.0 * r["cpu_rest_s"] / r["wall_s"]
                worst = pct if worst is None else max(worst, pct)
    if worst is None:
        return "–"
    return f"{worst:.0f}%" + (" ⚠ busy" if worst > 20 else "")


# (scenario, label, metric key, unit, better, target kind, target value)
#   better: "higher" -> ratio Mailroom/reference; "lower" -> ratio reference/Mailroom
#   target kind: "ratio" (ratio >= value), "max" (Mailroom <= value), "min" (Mailroom >= value)
ROWS = [
    ("pop3-1", "POP3 full, 1 client", "messages_per_s", "msg/s", "higher", "ratio", 1.0),
    ("pop3-8", "POP3 full, 8 clients", "messages_per_s", "msg/s", "higher", "ratio", 1.2),
    ("pop3-64", "POP3 full, 64 clients", "messages_per_s", "msg/s", "higher", "ratio", 1.5),
    ("pop3-1", "POP3 full, 1 client: server CPU", "server_cpu_us_per_message", "µs/msg", "lower", None, None),
    ("pop3-8", "POP3 full, 8 clients: server CPU", "server_cpu_us_per_message", "µs/msg", "lower", None, None),
    ("pop3-64", "POP3 full, 64 clients: server CPU", "server_cpu_us_per_message", "µs/msg", "lower", None, None),
    ("cpu18-1", "POP3 full, 18 KB messages, 1 client: server CPU", "server_cpu_us_per_message", "µs/msg", "lower",
     "max", 120),
    ("cpu18-8", "POP3 full, 18 KB messages, 8 clients: server CPU", "server_cpu_us_per_message", "µs/msg", "lower",
     "max", 120),
    ("cpu18-64", "POP3 full, 18 KB messages, 64 clients: server CPU", "server_cpu_us_per_message", "µs/msg",
     "lower", "max", 120),
    ("pop3-8", "POP3 full, 8 clients: RETR p50", "retr_p50_ms", "ms", "lower", "ratio", 1.0),
    ("pop3-8", "POP3 full, 8 clients: MB/s", "mb_per_s", "MB/s", "higher", None, None),
    ("pop3s-8", "POP3S full, 8 clients", "messages_per_s", "msg/s", "higher", "ratio", 1.2),
    ("large", "large RETR (20 MB), 1 client", "mb_per_s", "MB/s", "higher", "ratio", 1.0),
    ("churn", "churn, 8 clients", "logins_per_s", "logins/s", "higher", "min", 3000),
    ("churn", "churn, 8 clients: server CPU", "server_cpu_us_per_login", "µs/login", "lower", "max", 300),
    ("login-under-load", "login p99, idle server", "baseline_login_p99_ms", "ms", "lower", None, None),
    ("login-under-load", "login p99, 64 downloaders", "loaded_login_p99_ms", "ms", "lower", None, None),
    ("login-under-load", "login p99 loaded / idle", "login_p99_ratio", "×", "lower", "max", 3.0),
    ("login-under-load", "downloads under the probe", "download_mb_per_s", "MB/s", "higher", None, None),
    ("smtp-1", "SMTP, 1 sender (stored)", "stored_per_s", "msg/s", "higher", "ratio", 1.0),
    ("smtp-1", "SMTP, 1 sender (accepted: last 250)", "accepted_per_s", "msg/s", "higher", None, None),
    ("smtp-8", "SMTP, 8 senders (stored)", "stored_per_s", "msg/s", "higher", "ratio", 1.0),
    ("smtp-8", "SMTP, 8 senders (accepted: last 250)", "accepted_per_s", "msg/s", "higher", None, None),
    ("smtp-64", "SMTP, 64 senders (stored)", "stored_per_s", "msg/s", "higher", "ratio", 1.0),
    ("smtp-64", "SMTP, 64 senders (accepted: last 250)", "accepted_per_s", "msg/s", "higher", None, None),
    ("lmtp-1", "LMTP, 1 sender (stored)", "stored_per_s", "msg/s", "higher", "ratio", 1.5),
    ("lmtp-1", "LMTP, 1 sender (accepted: last 250)", "accepted_per_s", "msg/s", "higher", None, None),
    ("lmtp-8", "LMTP, 8 senders (stored)", "stored_per_s", "msg/s", "higher", "ratio", 1.5),
    ("lmtp-8", "LMTP, 8 senders (accepted: last 250)", "accepted_per_s", "msg/s", "higher", None, None),
    ("lmtp-64", "LMTP, 64 senders (stored)", "stored_per_s", "msg/s", "higher", "ratio", 1.5),
    ("lmtp-64", "LMTP, 64 senders (accepted: last 250)", "accepted_per_s", "msg/s", "higher", None, None),
]


def target_text(kind, value, unit):
    if kind == "ratio":
        return f"≥ {value:g}×"
    if kind == "max":
        return f"≤ {value:g} {unit}"
    if kind == "min":
        return f"≥ {value:,g} {unit}"
    return ""


def row(scen, label, key, unit, better, kind, value):
    ref = ref_of(scen)
    if not runs.get((scen, ref)) and not runs.get((scen, "mailroom")):
        return None
    a, b = median(scen, ref, key), median(scen, "mailroom", key)
    ratio = None
    if failed(scen, ref) or failed(scen, "mailroom"):
        pass
    elif a is not None and b is not None and a > 0 and b > 0:
        ratio = b / a if better == "higher" else a / b
    met = ""
    if failed(scen, "mailroom") or failed(scen, ref):
        met = "**FAILED**"
    elif kind == "ratio" and ratio is not None:
        met = "yes" if ratio >= value else "**no**"
    elif kind == "max" and b is not None:
        met = "yes" if b <= value else "**no**"
    elif kind == "min" and b is not None:
        met = "yes" if b >= value else "**no**"
    name = f"{label} [{unit}]"
    return (f"| {name} | {cell(scen, ref, key)} | {cell(scen, 'mailroom', key)} | "
            f"{fmt(ratio) + '×' if ratio is not None else '–'} | {target_text(kind, value, unit)} | {met} | "
            f"{cpu_cell(scen)} | {rest_cell(scen)} |")


lines = []
out = lines.append
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
out(BEGIN)
out("# Mailroom compared with Dovecot and Postfix")
out("")
out(f"Generated by `bench/compare.sh` on {now}. How to read it: [README](README.md#reading-resultsmd).")
out("")
out(f"- Command: `{env('CMDLINE', 'bench/compare.sh')}`"
    + (" (smoke run: figures not comparable with a full run)" if env("QUICK") == "1" else ""))
out(f"- Machine: {env('MACHINE', '?')}")
out(f"- Software: {env('VERSIONS', '?')}")
out(f"- Mail: {env('USERS')} users × {env('MESSAGES')} messages of 4–50 KB (seed 1, mean {AVG_KB:.1f} KB on the "
    f"wire) + 64 copies of one {env('LARGE_MB')} MB message (one per downloader) + {env('USERS')} users × {env('CPU_MESSAGES')} messages of 18 KB (the `cpu18` runs); {env('ROUNDS')} round(s), {env('SECONDS_RUN')} s measured per POP3 "
    f"run; SMTP/LMTP {env('SMTP_MSGS_1')}/{env('SMTP_MSGS_8')}/{env('SMTP_MSGS_64')} messages of 18 KB at "
    "1/8/64 senders, every one verified on disk; generator, servers and everything else share the cores.")
nfail = int(env("FAILED", "0"))
out(f"- Verification: {'**' + str(nfail) + ' run(s) FAILED**' if nfail else 'every run verified (no failures)'}")
out("")
out("Figures are medians over the rounds (min–max in brackets). Ratio: Mailroom/reference for "
    "throughput, reference/Mailroom for latency, CPU and memory, so **higher is better** in every row. "
    "Server CPU per unit is summed over the server's process tree (reference / Mailroom). Rest CPU: "
    "the busiest run's CPU used by the rest of the machine, in % of one core over the run's wall time "
    "(⚠ above 20%: the machine was not quiet).")
out("")
out("| Scenario [unit] | Reference | Mailroom | Ratio | Target | Met? | Server CPU per unit (ref / Mailroom) | Rest CPU |")
out("|---|---|---|---|---|---|---|---|")
for spec in ROWS:
    r = row(*spec)
    if r:
        out(r)
# idle sessions
idle_scens = sorted({s for (s, _) in runs if s.startswith("idle-")}, key=lambda s: int(s.split("-")[1]))
for scen in idle_scens:
    n = scen.split("-")[1]
    a = median(scen, "dovecot", "bytes_per_session")
    b = median(scen, "mailroom", "bytes_per_session")
    ratio = a / b if a and b and b > 0 and not failed(scen, "mailroom") and not failed(scen, "dovecot") else None
    # The target is for 10,000 sessions; smaller counts are the comparison with Dovecot.
    has_target = int(n) >= 10000
    met = "**FAILED**" if failed(scen, "mailroom") or failed(scen, "dovecot") else (
        "" if b is None or not has_target else ("yes" if b <= 5000 else "**no**"))
    refcell = cell(scen, "dovecot", "bytes_per_session") if runs.get((scen, "dovecot")) else "n/a (a process per session)"
    out(f"| {n} idle logged-in POP3 sessions: memory per session [bytes] | {refcell} | "
        f"{cell(scen, 'mailroom', 'bytes_per_session')} | {fmt(ratio) + '×' if ratio else '–'} | {'≤ 5,000 bytes' if has_target else ''} | {met} | | |")
out("")
out("Notes: Dovecot forks and execs a `pop3` process for every session (its default), which is what its "
    "churn and login figures pay for; Mailroom locks a mailbox per POP3 session, so every client and "
    "downloader has a mailbox of its own. SMTP/LMTP \"accepted\" is the last 250 (Mailroom's spool "
    "delivers after it), \"stored\" the last message found on disk: the figure the targets are about. "
    "Setup and choices: [README](README.md#reference-configuration-and-choices).")
out("")
out("Memory per idle session: Mailroom = (heap used after `jcmd GC.run`, from `GC.heap_info`) + (Native "
    "Memory Tracking committed total − its Java Heap committed), with the sessions held minus before, "
    "divided by the sessions; Dovecot = the sum of `Pss` from `/proc/<pid>/smaps_rollup` over every "
    "process of the instance, with minus before, divided by the sessions. \"Before\" is taken after a first, "
    "unmeasured hold of as many sessions (both servers), so one-time costs (threads started, code compiled, "
    "allocator arenas) are not counted per session.")
if idle_scens:
    out("")
    out("| Idle run | before (KiB) | with the sessions (KiB) | sessions opened / NOOP ok |")
    out("|---|---|---|---|")
    for scen in idle_scens:
        for server in ("dovecot", "mailroom"):
            for _, rc, r in runs.get((scen, server), []):
                detail = ""
                if server == "mailroom" and "heap_before_kib" in r:
                    detail = (f" (heap {r['heap_before_kib']:,} → {r['heap_after_kib']:,}, native "
                              f"{r['native_before_kib']:,} → {r['native_after_kib']:,})")
                out(f"| {scen} {server} | {r.get('mem_before_kib', '–')} | {r.get('mem_after_kib', '–')}{detail} | "
                    f"{r.get('opened', '–')} / {r.get('noop_ok', '–')}{' **FAILED**' if rc else ''} |")
problems = []
for name in ("DOVECOT", "POSTFIX", "MAILROOM"):
    text = env(name + "_PROBLEMS", "").strip()
    if text:
        problems.append(f"- {name.title()} logged:\n\n```\n{text}\n```")
out("")
if problems:
    out("Server logs after the run (warnings and errors):")
    out("")
    lines.extend(problems)
else:
    out("Server logs after the run: no errors or warnings from Dovecot, Postfix or Mailroom.")
out(END)

path = sys.argv[2]
tail = ""
if os.path.exists(path):
    old = open(path, encoding="utf-8").read()
    if END in old:
        tail = old.split(END, 1)[1]
    elif "## Profile notes" in old:
        tail = "\n\n" + old[old.index("## Profile notes"):]
text = "\n".join(lines) + (tail if tail else "\n")
with open(path, "w", encoding="utf-8") as f:
    f.write(text)

#!/usr/bin/env python3
"""Measurement driver of the gateway load benchmark (scripts/bench/gateway_load.sh).

Subcommands:

  message --size N --out FILE [--secure]
      Writes the test message: a plain Dutch mail from afdeling@zorg.nl to
      an external partner, with no personal data in it (zegel assesses it as
      normal), padded to N bytes on the wire (CRLF line ends). `--secure`
      puts the subject tag `[veilig]` in front of the subject (forces the
      secure verdict, so the portal action).

  run --label L --port P --sink-port S --message FILE --messages N
      --sessions C --probes K [--warmup W] [--server-pid PID] [--out FILE]
      One measured run against the SMTP server on 127.0.0.1:P, which relays
      to 127.0.0.1:S:
      1. starts Postfix's smtp-sink on 127.0.0.1:S (`-c`: it prints a
         counter line, `mesg=N`, at every "." it receives; a thread here timestamps
         each, so the arrival of every message is known to about a
         millisecond);
      2. warm-up: W messages with smtp-source, waits until they arrived;
      3. t0; the load: `smtp-source -d -s C-K -m N-...` (C-K sessions,
         each sending its messages one after another over one connection)
         and, beside it, K probe sessions of this script that send the same
         message the same way (no pipelining, like smtp-source) and time
         every transaction: from writing MAIL FROM to reading the 250 after
         the final ".", and from writing "." to that 250. The probes stop
         when smtp-source is done; their messages count as load;
      4. waits until the sink has every message (the delivered count is the
         sink's, never the server's word);
      5. writes one JSON line: accepted/delivered counts, rates (messages
         per second from t0 to the last accept, and from t0 to the last
         arrival at the sink), the drain tail, the probes' latency
         percentiles, the server's CPU (process tree of --server-pid) and
         the machine's (from /proc/stat).

  table FILE
      Prints the runs of FILE (JSON lines) side by side, with zegel's rates
      as a multiple of Postfix's.

Only the standard library and Postfix's smtp-source/smtp-sink.
"""
import argparse
import asyncio
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

SMTP_SOURCE = "/usr/sbin/smtp-source"
SMTP_SINK = "/usr/sbin/smtp-sink"
FROM = "afdeling@zorg.nl"
TO = "planning@partnerorganisatie.example"
HELO = "bench.zorg.nl"

PARAGRAPHS = [
    "Hierbij de stand van zaken rond de verbouwing van de tweede verdieping. "
    "De aannemer verwacht de ruwbouw binnen drie weken af te ronden; daarna "
    "volgen de installaties en de afwerking. Tijdens de werkzaamheden blijft "
    "de hoofdingang open, maar de lift aan de oostkant is buiten gebruik.",
    "Voor het nieuwe roostersysteem zijn de proefweken goed verlopen. De "
    "teams hebben hun wensen doorgegeven en de planners passen de sjablonen "
    "aan. Wie nog vragen heeft over het invoeren van beschikbaarheid, kan "
    "terecht bij het inloopspreekuur op de eerste verdieping.",
    "De werkgroep duurzaamheid stelt voor om het papierverbruik verder terug "
    "te dringen. Printers staan voortaan standaard op dubbelzijdig afdrukken "
    "en de vergaderstukken komen alleen nog digitaal. Suggesties voor andere "
    "maatregelen zijn welkom via het ideeenformulier op intranet.",
    "In de kantine is de nieuwe koffieautomaat geplaatst. De oude automaat "
    "gaat naar het steunpunt in de wijk. Let op: de automaat accepteert geen "
    "contant geld meer, alleen de personeelspas.",
    "De scholingscommissie heeft het aanbod voor het komende kwartaal "
    "vastgesteld: een training over klantgericht communiceren, een workshop "
    "over veilig werken met beeldschermen en een herhaling van de cursus "
    "bedrijfshulpverlening. Inschrijven kan via de leeromgeving.",
    "Het overleg met de partnerorganisaties over de gezamenlijke inkoop van "
    "kantoorartikelen heeft geleid tot een concept-overeenkomst. De juristen "
    "bekijken de tekst nog; daarna leggen we het voorstel voor aan het "
    "managementteam. We verwachten geen wijzigingen in de bestelprocedure.",
    "Tot slot: de parkeerplaats aan de achterkant wordt opnieuw bestraat. "
    "Gedurende twee weken kunt u parkeren bij de sporthal om de hoek. De "
    "fietsenstalling blijft gewoon bereikbaar via het zijpad.",
]


def message_bytes(size, secure):
    """The message on the wire: CRLF lines, dot-stuffed, without the final
    "." line; `size` bytes long (headers included)."""
    subject = "Nieuwsbrief facilitaire zaken en planning"
    if secure:
        subject = "[veilig] " + subject
    head = (
        f"From: Afdeling Facilitair <{FROM}>\r\n"
        f"To: Planning <{TO}>\r\n"
        f"Subject: {subject}\r\n"
        "Date: Mon, 23 Nov 2026 10:00:00 +0100\r\n"
        "Message-ID: <nieuwsbrief-facilitair@zorg.nl>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        "Beste collega's,\r\n\r\n"
    )
    tail = "\r\nMet vriendelijke groet,\r\nAfdeling Facilitaire Zaken\r\n"
    body = []
    used = len(head) + len(tail)
    i = 0
    while True:
        par = PARAGRAPHS[i % len(PARAGRAPHS)]
        # Lines of at most 76 characters.
        lines, line = [], ""
        for word in par.split():
            if len(line) + 1 + len(word) > 76:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
        text = "\r\n".join(lines) + "\r\n\r\n"
        if used + len(text) > size:
            break
        body.append(text)
        used += len(text)
        i += 1
    # Pad the last bytes with a closing line of the right length.
    pad = size - used
    filler = ""
    if pad >= 3:
        filler = ("Tot de volgende editie" + "." * pad)[: pad - 2] + "\r\n"
    raw = head + "".join(body) + filler + tail
    data = raw.encode()
    assert len(data) == size or pad < 3, (len(data), size)
    return data


def cmd_message(args):
    data = message_bytes(args.size, args.secure)
    # smtp-source -F reads lines and sends each with CRLF: store LF lines.
    with open(args.out, "wb") as f:
        f.write(data.replace(b"\r\n", b"\n"))
    print(len(data))


# --- measuring -------------------------------------------------------------


class Sink:
    """smtp-sink on 127.0.0.1:port; timestamps each message's arrival."""

    def __init__(self, port, pid_file):
        self.proc = subprocess.Popen(
            [SMTP_SINK, "-4", "-c", "-u", "nobody", f"127.0.0.1:{port}", "256"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        if pid_file:
            with open(pid_file, "a") as f:
                f.write(f"{self.proc.pid}\n")
        self.count = 0
        self.times = []  # (perf_counter, count) at every change
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        deadline = time.time() + 10
        while not listening(port):
            if time.time() > deadline or self.proc.poll() is not None:
                raise SystemExit(f"smtp-sink did not listen on 127.0.0.1:{port}")
            time.sleep(0.02)

    def _read(self):
        fd = self.proc.stdout.fileno()
        pending = b""
        pat = re.compile(rb"mesg=(\d+)")
        while True:
            chunk = os.read(fd, 65536)
            now = time.perf_counter()
            if not chunk:
                break
            pending += chunk
            *records, pending = pending.split(b"\r")
            latest = None
            for rec in records:
                m = pat.search(rec)
                if m:
                    latest = int(m.group(1))
            if latest is not None and latest != self.count:
                with self.cond:
                    self.count = latest
                    self.times.append((now, latest))
                    self.cond.notify_all()

    def wait_for(self, n, timeout):
        """Waits until n messages arrived; returns whether they did."""
        deadline = time.time() + timeout
        with self.cond:
            while self.count < n:
                left = deadline - time.time()
                if left <= 0:
                    return False
                self.cond.wait(min(left, 1.0))
        return True

    def time_of(self, n):
        """When the count first reached n."""
        for t, c in self.times:
            if c >= n:
                return t
        return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def listening(port):
    """Whether something listens on 127.0.0.1:port (kernel table, no connect)."""
    want = f"0100007F:{port:04X}"
    try:
        with open("/proc/net/tcp") as f:
            for line in list(f)[1:]:
                fields = line.split()
                if fields[1].upper() == want and fields[3] == "0A":
                    return True
    except OSError:
        pass
    return False


async def read_reply(reader):
    """One SMTP reply (multi-line too); its code."""
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("connection closed")
        if len(line) < 4 or line[3:4] != b"-":
            return int(line[:3])


async def probe(port, payload, stop, txn, dot, errors):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        if await read_reply(reader) != 220:
            raise ConnectionError("no 220 greeting")
        writer.write(f"EHLO {HELO}\r\n".encode())
        if await read_reply(reader) != 250:
            raise ConnectionError("EHLO refused")
        mail = f"MAIL FROM:<{FROM}>\r\n".encode()
        rcpt = f"RCPT TO:<{TO}>\r\n".encode()
        while not stop.is_set():
            t0 = time.perf_counter()
            writer.write(mail)
            ok = await read_reply(reader) == 250
            writer.write(rcpt)
            ok = await read_reply(reader) == 250 and ok
            writer.write(b"DATA\r\n")
            if not ok or await read_reply(reader) != 354:
                errors.append("MAIL/RCPT/DATA refused")
                writer.write(b"RSET\r\n")
                await read_reply(reader)
                await asyncio.sleep(0.1)
                continue
            writer.write(payload)
            t1 = time.perf_counter()
            await writer.drain()
            code = await read_reply(reader)
            t2 = time.perf_counter()
            if code == 250:
                txn.append(t2 - t0)
                dot.append(t2 - t1)
            else:
                errors.append(f"{code} after DATA")
        writer.write(b"QUIT\r\n")
        await writer.drain()
        try:
            await asyncio.wait_for(read_reply(reader), 5)
        except (asyncio.TimeoutError, ConnectionError):
            pass
    finally:
        writer.close()


def cpu_ticks_tree(pid):
    """utime+stime of pid and every descendant, plus the children it reaped."""
    if not pid:
        return None
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ppid = int(fields[1])
        children.setdefault(ppid, []).append((int(entry), fields))
    total = 0
    try:
        with open(f"/proc/{pid}/stat") as f:
            own = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # fields[11..14]: utime stime cutime cstime (after the ")" split, 0 is state)
    total += sum(int(x) for x in own[11:15])
    stack = [pid]
    while stack:
        p = stack.pop()
        for child, fields in children.get(p, []):
            total += int(fields[11]) + int(fields[12])
            stack.append(child)
    return total


def machine_ticks():
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields), idle


def pct(values, q):
    if not values:
        return None
    s = sorted(values)
    # Nearest rank: the smallest value with at least q % of the values at or below it.
    k = max(0, min(len(s) - 1, math.ceil(q / 100 * len(s)) - 1))
    return s[k]


def smtp_source(port, sessions, count, msg_file):
    return [
        SMTP_SOURCE, "-4", "-d", "-s", str(sessions), "-m", str(count),
        "-f", FROM, "-t", TO, "-M", HELO, "-F", msg_file, f"127.0.0.1:{port}",
    ]


def split(total, parts):
    """total as parts whole numbers that differ by at most one."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def smtp_sources(ports, sessions, count, msg_file):
    """One smtp-source per port (node), sessions and messages shared out."""
    return [
        smtp_source(port, max(1, s), c, msg_file)
        for port, s, c in zip(ports, split(sessions, len(ports)), split(count, len(ports)))
        if c > 0
    ]


def cpu_ticks_all(pids):
    """cpu_ticks_tree summed over pids (None when one is gone)."""
    ticks = [cpu_ticks_tree(pid) for pid in pids]
    return None if not ticks or None in ticks else sum(ticks)


async def load(args, payload):
    """The measured load; returns (t0, t_end, source_count, txn, dot, errors, rc)."""
    stop = asyncio.Event()
    txn, dot, errors = [], [], []
    src_sessions = max(1, args.sessions - args.probes)
    # The probes get their share of the sessions; smtp-source the rest of
    # the messages. (The probes run until smtp-source is done, so the total
    # is known afterwards.)
    src_count = max(src_sessions, round(args.messages * src_sessions / args.sessions))
    t0 = time.perf_counter()
    procs = [
        await asyncio.create_subprocess_exec(
            *cmd,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        for cmd in smtp_sources(args.ports, src_sessions, src_count, args.message)
    ]
    probes = [
        asyncio.create_task(probe(args.ports[i % len(args.ports)], payload, stop, txn, dot, errors))
        for i in range(args.probes)
    ]
    outs = [await proc.communicate() for proc in procs]
    stderr = b"".join(err for _, err in outs)
    returncode = next((proc.returncode for proc in procs if proc.returncode != 0), 0)
    t_src = time.perf_counter()
    stop.set()
    results = await asyncio.gather(*probes, return_exceptions=True)
    t_end = time.perf_counter()
    for r in results:
        if isinstance(r, Exception):
            errors.append(f"probe: {r!r}")
    if returncode != 0:
        errors.append(f"smtp-source exit {returncode}: {stderr.decode(errors='replace').strip()[:300]}")
    return t0, t_src, t_end, src_count, txn, dot, errors, returncode


def cmd_run(args):
    with open(args.message, "rb") as f:
        wire = f.read().replace(b"\n", b"\r\n")
    payload = b"".join(
        (b"." + line if line.startswith(b".") else line) for line in wire.splitlines(keepends=True)
    ) + b".\r\n"
    loadavg = open("/proc/loadavg").read().split()[:3]
    sink = Sink(args.sink_port, args.pid_file)
    result = {"label": args.label, "loadavg_before": " ".join(loadavg)}
    try:
        per_msg = args.deliveries_per_message
        if args.warmup > 0:
            warm = [
                subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
                for cmd in smtp_sources(args.ports, min(args.sessions, args.warmup), args.warmup, args.message)
            ]
            rc = max(w.wait() for w in warm)
            if rc != 0 or not sink.wait_for(args.warmup * per_msg, args.timeout):
                raise SystemExit(f"{args.label}: warm-up failed (smtp-source {rc}, sink {sink.count})")
            time.sleep(1.0)
        base = sink.count
        cpu0 = cpu_ticks_all(args.server_pids)
        m0 = machine_ticks()
        t0, t_src, t_end, src_count, txn, dot, errors, rc = asyncio.run(load(args, payload))
        accepted = (src_count if rc == 0 else 0) + len(txn)
        want = base + accepted * per_msg
        ok = sink.wait_for(want, args.timeout)
        t_done = time.perf_counter()
        cpu1 = cpu_ticks_all(args.server_pids)
        m1 = machine_ticks()
        t_last = sink.time_of(want) if ok else None
        t_first = sink.time_of(base + 1)
        tck = os.sysconf("SC_CLK_TCK")
        span = (t_last or t_done) - t0
        result.update(
            {
                "messages": accepted,
                "deliveries": sink.count - base,
                "expected_deliveries": accepted * per_msg,
                "complete": ok,
                "sessions": args.sessions,
                "probes": args.probes,
                "size": len(wire),
                "accept_secs": round(t_end - t0, 3),
                "smtp_source_secs": round(t_src - t0, 3),
                "first_delivery_secs": round(t_first - t0, 4) if t_first else None,
                "last_delivery_secs": round(t_last - t0, 3) if t_last else None,
                "drain_tail_secs": round(t_last - t_end, 3) if t_last else None,
                "accepted_per_sec": round(accepted / (t_end - t0), 1),
                "delivered_per_sec": round(accepted / (t_last - t0), 1) if t_last else None,
                "samples": len(txn),
                "errors": errors[:10],
                "error_count": len(errors),
            }
        )
        for name, values in (("txn", txn), ("dot", dot)):
            for q in (50, 90, 99):
                v = pct(values, q)
                result[f"{name}_p{q}_ms"] = round(v * 1000, 2) if v is not None else None
            result[f"{name}_max_ms"] = round(max(values) * 1000, 2) if values else None
        if cpu0 is not None and cpu1 is not None:
            cpu = (cpu1 - cpu0) / tck
            result["server_cpu_secs"] = round(cpu, 2)
            result["server_cores"] = round(cpu / span, 2)
            result["server_cpu_us_per_msg"] = round(cpu / max(1, accepted) * 1e6)
        total, idle = m1[0] - m0[0], m1[1] - m0[1]
        result["machine_busy"] = round(1 - idle / total, 3) if total else None
    finally:
        sink.stop()
    line = json.dumps(result)
    print(line)
    if args.out:
        with open(args.out, "a") as f:
            f.write(line + "\n")
    if not result.get("complete") or result.get("error_count"):
        sys.exit(1)


def cmd_table(args):
    try:
        runs = [json.loads(line) for line in open(args.file) if line.strip()]
    except FileNotFoundError:
        runs = []
    if not runs:
        print("(no runs)")
        return
    rows = [
        ("messages accepted (10 KB)", "messages", "{}"),
        ("deliveries at the sink", "deliveries", "{}"),
        ("accept to delivery, msgs/s", "delivered_per_sec", "{}"),
        ("accepted, msgs/s", "accepted_per_sec", "{}"),
        ("load time (s)", "accept_secs", "{}"),
        ("last delivery after (s)", "last_delivery_secs", "{}"),
        ("drain after last accept (s)", "drain_tail_secs", "{}"),
        ("accept latency p50 (ms)", "txn_p50_ms", "{}"),
        ("accept latency p90 (ms)", "txn_p90_ms", "{}"),
        ("accept latency p99 (ms)", "txn_p99_ms", "{}"),
        ("accept latency max (ms)", "txn_max_ms", "{}"),
        ("'.' to 250 p50 (ms)", "dot_p50_ms", "{}"),
        ("'.' to 250 p99 (ms)", "dot_p99_ms", "{}"),
        ("latency samples", "samples", "{}"),
        ("server CPU (cores busy)", "server_cores", "{}"),
        ("server CPU per message (us)", "server_cpu_us_per_msg", "{}"),
        ("machine busy", "machine_busy", "{}"),
        ("load average before", "loadavg_before", "{}"),
        ("errors", "error_count", "{}"),
    ]
    labels = [r["label"] for r in runs]
    width = max(30, *(len(r[0]) for r in rows))
    colw = max(14, *(len(l) for l in labels))
    print(f"{'':<{width}}" + "".join(f"{l:>{colw + 2}}" for l in labels))
    for title, key, fmt in rows:
        cells = []
        for r in runs:
            v = r.get(key)
            cells.append("-" if v is None else fmt.format(v))
        print(f"{title:<{width}}" + "".join(f"{c:>{colw + 2}}" for c in cells))
    # zegel against Postfix: each zegel run over the Postfix run(s).
    pf = [r for r in runs if r["label"].startswith("postfix") and r.get("delivered_per_sec")]
    if pf:
        base = sum(r["delivered_per_sec"] for r in pf) / len(pf)
        base_acc = sum(r["accepted_per_sec"] for r in pf) / len(pf)
        print()
        for r in runs:
            if r["label"].startswith("zegel") and r.get("delivered_per_sec"):
                print(
                    f"{r['label']}: {r['delivered_per_sec'] / base:.2f}x Postfix's accept-to-delivery rate "
                    f"({r['delivered_per_sec']} vs {base:.1f} msgs/s), "
                    f"{r['accepted_per_sec'] / base_acc:.2f}x its accept rate (target: at least 2x)"
                )


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("message")
    m.add_argument("--size", type=int, default=10240)
    m.add_argument("--secure", action="store_true")
    m.add_argument("--out", required=True)
    r = sub.add_parser("run")
    r.add_argument("--label", required=True)
    r.add_argument("--port", required=True, help="the server's SMTP port, or several: P1,P2 (nodes)")
    r.add_argument("--sink-port", type=int, required=True)
    r.add_argument("--message", required=True)
    r.add_argument("--messages", type=int, default=5000)
    r.add_argument("--sessions", type=int, default=20)
    r.add_argument("--probes", type=int, default=4)
    r.add_argument("--warmup", type=int, default=200)
    r.add_argument("--deliveries-per-message", type=int, default=1)
    r.add_argument("--timeout", type=float, default=600)
    r.add_argument("--server-pid", default="", help="pid(s) whose CPU (with their children) counts: P1,P2")
    r.add_argument("--pid-file", help="append the sink's pid here (for the caller's cleanup)")
    r.add_argument("--out")
    t = sub.add_parser("table")
    t.add_argument("file")
    args = p.parse_args()
    if args.cmd == "run":
        args.ports = [int(x) for x in args.port.split(",")]
        args.server_pids = [int(x) for x in args.server_pid.split(",") if x]
    {"message": cmd_message, "run": cmd_run, "table": cmd_table}[args.cmd](args)


if __name__ == "__main__":
    main()

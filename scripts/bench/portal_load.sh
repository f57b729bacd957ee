#!/usr/bin/env bash
# Load benchmark of the portal's message page (issue 4): wrk on loopback
# against GET /m/{token}/read with valid sessions, on SQLite.
#
# What it does: `zegel init` in a temp folder, free ports on 127.0.0.1,
# relay_host = the aiosmtpd sink (tests/support/smtp_sink.py),
# [portal] second_factor = "none"; starts the release `zegel serve`; sends
# MESSAGES secure mails to PER_MESSAGE external recipients each and signs
# in once per package (link -> mail code from the sink -> verify -> first
# read; scripts/bench/portal_sessions.py); then runs wrk with
# scripts/bench/portal_read.lua (requests spread over all sessions, every
# answer checked for 200 and the message text) at each of CONNECTIONS.
# Everything listens on 127.0.0.1; every process and the temp folder go
# at the end.
#
# Usage: scripts/bench/portal_load.sh
# Environment (defaults): CONNECTIONS="100 10" THREADS=2 DURATION=30s
#   WARMUP=5s MESSAGES=4 PER_MESSAGE=5 ZEGEL_BIN=target/release/zegel
#   VIEW_CACHE_SECS=0: [portal] view_cache_secs (default 60; 0 makes every
#   view read, decrypt, parse and sanitise the message anew)
#   PERF=FILE: record `perf` call graphs of zegel serve (cpu-clock) during
#   the first measurement into FILE (read it with `perf report -i FILE`)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

CONNECTIONS=${CONNECTIONS:-"100 10"}
THREADS=${THREADS:-2}
DURATION=${DURATION:-30s}
WARMUP=${WARMUP:-5s}
MESSAGES=${MESSAGES:-4}
PER_MESSAGE=${PER_MESSAGE:-5}
ZEGEL_BIN=${ZEGEL_BIN:-$ROOT/target/release/zegel}

log() { printf '==> %s\n' "$*" >&2; }

# Tools: wrk (Debian package), aiosmtpd (the sink), the release binary.
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing wrk"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null ||
      { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
  else
    log "wrk is missing (apt-get install wrk)"; exit 1
  fi
fi
if ! python3 -c "import aiosmtpd" >/dev/null 2>&1; then
  log "installing aiosmtpd (pip)"
  python3 -m pip install --quiet --disable-pip-version-check aiosmtpd
fi
if [ ! -x "$ZEGEL_BIN" ]; then
  log "building the release binary"
  cargo build --release -p zegel
fi

WORK=$(mktemp -d /tmp/zegel-portal-load.XXXXXX)
SINK_PID=""
ZEGEL_PID=""
cleanup() {
  set +e # a killed process's status must not stop the cleanup
  if [ -n "$ZEGEL_PID" ]; then kill "$ZEGEL_PID" 2>/dev/null; wait "$ZEGEL_PID" 2>/dev/null; fi
  if [ -n "$SINK_PID" ]; then kill "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null; fi
  exec 3>&- 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# utime + stime of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

echo "== machine"
echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "nproc:   $(nproc)"
echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "memory:  $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
echo "kernel:  $(uname -r)"
echo "wrk:     $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "zegel:   $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') ($ZEGEL_BIN)"
echo "view_cache_secs: ${VIEW_CACHE_SECS:-60}"

# The SMTP sink: relay_host for notifications and code mails.
SINK_PORT=$(free_port)
mkdir -p "$WORK/sink"
mkfifo "$WORK/sink.stdin"
exec 3<>"$WORK/sink.stdin" # keeps the sink's stdin open (it lives until EOF)
python3 "$ROOT/tests/support/smtp_sink.py" --dir "$WORK/sink" --port "$SINK_PORT" \
  <&3 >"$WORK/sink.log" 2>&1 &
SINK_PID=$!
for _ in $(seq 100); do grep -q '^PORT ' "$WORK/sink.log" 2>/dev/null && break; sleep 0.1; done
grep -q '^PORT ' "$WORK/sink.log" || { cat "$WORK/sink.log"; exit 1; }

# zegel init + edits.
"$ZEGEL_BIN" init --domain zorg.nl --dir "$WORK/zegel" >/dev/null
SMTP_PORT=$(free_port)
HTTP_PORT=$(free_port)
python3 - "$WORK/zegel/zegel.toml" "$SMTP_PORT" "$HTTP_PORT" "$SINK_PORT" "${VIEW_CACHE_SECS:-60}" <<'EOF'
import sys
path, smtp, http, sink, view_cache = sys.argv[1:]
text = open(path).read()
for old, new in [
    ('listen = "127.0.0.1:2525"', f'listen = "127.0.0.1:{smtp}"'),
    ('# relay_host = "smarthost.lan:25"', f'relay_host = "127.0.0.1:{sink}"'),
    ('listen = "127.0.0.1:8080"', f'listen = "127.0.0.1:{http}"'),
    ('retry_base_secs = 60', 'retry_base_secs = 1'),
    ('second_factor = "sms_if_known"', 'second_factor = "none"'),
    ('session_minutes = 30', 'session_minutes = 240'),
    ('view_cache_secs = 60', f'view_cache_secs = {int(view_cache)}'),
]:
    if old not in text:
        sys.exit(f"zegel.toml template lacks {old!r}")
    text = text.replace(old, new, 1)
open(path, "w").write(text)
EOF

ZEGEL_LOG=${ZEGEL_LOG:-warn} "$ZEGEL_BIN" serve --config "$WORK/zegel/zegel.toml" \
  >"$WORK/zegel.log" 2>&1 &
ZEGEL_PID=$!
for _ in $(seq 300); do grep -q 'portal listening on' "$WORK/zegel.log" && break; sleep 0.1; done
grep -q 'portal listening on' "$WORK/zegel.log" || { cat "$WORK/zegel.log"; exit 1; }

log "sending $MESSAGES secure mails to $PER_MESSAGE recipients each; signing in"
python3 "$ROOT/scripts/bench/portal_sessions.py" --smtp-port "$SMTP_PORT" \
  --http-port "$HTTP_PORT" --sink-dir "$WORK/sink" --messages "$MESSAGES" \
  --per-message "$PER_MESSAGE" --out "$WORK/sessions.txt"

# Do not measure while the gateway benchmark runs on the same cores.
while pgrep -f 'scripts/bench/gateway_load' >/dev/null 2>&1; do
  log "gateway_load is running; waiting"
  sleep 10
done

export SESSIONS_FILE="$WORK/sessions.txt"
URL="http://127.0.0.1:$HTTP_PORT/"
LUA="$ROOT/scripts/bench/portal_read.lua"
log "warm-up ($WARMUP, 10 connections)"
wrk -t"$THREADS" -c10 -d"$WARMUP" -s "$LUA" "$URL" >/dev/null
for c in $CONNECTIONS; do
  echo
  echo "== wrk -t$THREADS -c$c -d$DURATION --latency -s scripts/bench/portal_read.lua (GET /m/{token}/read)"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  PERF_PID=""
  if [ -n "${PERF:-}" ]; then
    perf record -q -e cpu-clock -F 999 ${PERF_CALLGRAPH:---call-graph dwarf,16384} -p "$ZEGEL_PID" -o "$PERF" \
      >/dev/null 2>&1 &
    PERF_PID=$!
  fi
  cpu_before=$(cpu_ticks "$ZEGEL_PID")
  wall_before=$(date +%s.%N)
  wrk -t"$THREADS" -c"$c" -d"$DURATION" --latency -s "$LUA" "$URL" | tee "$WORK/wrk.out"
  cpu_after=$(cpu_ticks "$ZEGEL_PID")
  wall_after=$(date +%s.%N)
  python3 - "$cpu_before" "$cpu_after" "$wall_before" "$wall_after" "$(getconf CLK_TCK)" "$WORK/wrk.out" <<'EOF2'
import re, sys
b, a, wb, wa, tck, out = sys.argv[1:]
cpu = (int(a) - int(b)) / int(tck)
wall = float(wa) - float(wb)
n = int(re.search(r"(\d+) requests in", open(out).read()).group(1))
print(f"zegel serve CPU: {cpu / wall:.2f} cores busy, {cpu / n * 1e6:.0f} us CPU per request")
EOF2
  if [ -n "$PERF_PID" ]; then
    kill -INT "$PERF_PID"; wait "$PERF_PID" || true
    PERF=""
  fi
done
echo
echo "zegel serve peak resident memory: $(awk '/VmHWM/ {print $2, $3}' "/proc/$ZEGEL_PID/status")"
if grep -qiE 'error|panic' "$WORK/zegel.log"; then
  echo "zegel log:"; grep -iE 'error|panic' "$WORK/zegel.log" | head -20
fi

#!/usr/bin/env bash
# Load benchmark of the SMTP gateway (issue 3): 10 KB messages on loopback,
# accept to delivery, zegel side by side with Postfix relaying the same load
# on the same machine in the same run.
#
# What it does (everything on 127.0.0.1, free ports, in a temp folder):
# - the final destination is Postfix's smtp-sink, one per run, started by
#   scripts/bench/gateway_load.py, which timestamps each message's arrival
#   from the sink's running counter (`smtp-sink -c`);
# - run "zegel": `zegel init --domain zorg.nl` in a fresh folder,
#   relay_host = the sink, relay_networks 127.0.0.0/8 (the default), the
#   release `zegel serve`; the message (10,240 bytes, plain Dutch text from
#   afdeling@zorg.nl to an external partner, no personal data) is assessed
#   as normal, so each is delivered once to the sink, DKIM-signed;
# - run "postfix": a private Postfix (its own config_directory, queue and
#   data folders in the temp folder, `postfix -c DIR start`; smtpd on
#   127.0.0.1:PORT, relayhost = [127.0.0.1]:SINKPORT, everything else
#   Postfix's defaults) relaying the same load to a sink of its own;
# - optional run "zegel-secure" (RUNS): the same message with the subject
#   tag [veilig]: portal action, two deliveries per message (the
#   recipient's notification and the sender's notice);
# - optional runs "zegel-pg" and "zegel-pg2" (issue 8): zegel on PostgreSQL
#   (PG_URL, a fresh schema per run, dropped afterwards) with one node, and
#   with two nodes sharing the database, the key and the blob folder; the
#   load is shared out over the nodes (one smtp-source each, as a load
#   balancer would), and the server CPU includes PostgreSQL's backends;
# - the load of each run: WARMUP messages first (not measured), then
#   `smtp-source -d -s (SESSIONS-PROBES) -m ...` plus PROBES sessions of
#   gateway_load.py that send the same message the same way and time every
#   transaction (MAIL FROM written -> 250 after "." read): the p99 accept
#   latency. Rate = messages / (first message sent -> last arrival at the
#   sink);
# - prints a table side by side and zegel's rate as a multiple of Postfix's.
#
# Durability is the same: neither says 250 before the message is on disk.
# zegel: the sealed blob fsynced (and its folder), then one SQLite
# transaction (WAL, synchronous = FULL) committed. Postfix: its cleanup
# daemon fsyncs the queue file before smtpd answers 250 (always; no setting
# turns it off); it does not sync the queue folder.
#
# The system's Postfix is never used or touched: every postfix command gets
# `-c` with the private config folder, which listens on 127.0.0.1 only.
# Every process this script starts and the temp folder go at the end, also
# on failure or Ctrl-C.
#
# Usage: scripts/bench/gateway_load.sh
# Environment (defaults):
#   MESSAGES=5000 (per run)  SESSIONS=20 (concurrent client sessions)
#   PROBES=4 (of the SESSIONS, timed by gateway_load.py)  WARMUP=200
#   SIZE=10240  RUNS="zegel postfix" (also: zegel-secure)  REPEAT=1
#   TIMEOUT=600 (seconds to wait for the deliveries of a run)
#   ZEGEL_BIN=target/release/zegel (built with `cargo build --release -p
#   zegel` when missing)
#   DELIVERY_CONCURRENCY: zegel's [delivery] concurrency (default: zegel's, 20)
#   KEEP=1: keep the temp folder (configs, logs, databases) for a look
#   RESULTS=FILE: also append each run's JSON line to FILE
#   PG_URL=postgres://postgres@127.0.0.1:5432/test (the zegel-pg runs)
#   PERF=FILE: `perf record` zegel serve (cpu-clock, call graphs) during the
#   first measured zegel run into FILE (read it with `perf report -i FILE`)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

MESSAGES=${MESSAGES:-5000}
SESSIONS=${SESSIONS:-20}
PROBES=${PROBES:-4}
WARMUP=${WARMUP:-200}
SIZE=${SIZE:-10240}
RUNS=${RUNS:-"zegel postfix"}
REPEAT=${REPEAT:-1}
TIMEOUT=${TIMEOUT:-600}
ZEGEL_BIN=${ZEGEL_BIN:-$ROOT/target/release/zegel}
DRIVER="$ROOT/scripts/bench/gateway_load.py"

log() { printf '==> %s\n' "$*" >&2; }

# Tools: Postfix (smtp-source, smtp-sink and the relay itself; installed
# unconfigured, as scripts/test does: the system instance is never started),
# the release binary.
if [ ! -x /usr/sbin/smtp-source ] || [ ! -x /usr/sbin/smtp-sink ] || [ ! -x /usr/sbin/postfix ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing postfix (unconfigured; for smtp-source, smtp-sink and the comparison)"
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null ||
      { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null; }
  else
    log "postfix is missing (apt-get install postfix)"; exit 1
  fi
fi
if [ "$(id -u)" != 0 ]; then
  # Postfix's master runs its daemons as user postfix, group postdrop.
  log "run as root: the private Postfix instance needs it"; exit 1
fi
if [ ! -x "$ZEGEL_BIN" ]; then
  log "building the release binary"
  cargo build --release -p zegel
fi

WORK=$(mktemp -d /tmp/zegel-gateway-load.XXXXXX)
chmod 755 "$WORK" # Postfix's daemons (user postfix) reach their queue below
ZEGEL_PID=""
ZEGEL_PIDS=""
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/test}
PG_SCHEMA=""
PERF_PID=""
POSTFIX_CONF=""
cleanup() {
  set +e # a killed process's status must not stop the cleanup
  if [ -n "$PERF_PID" ]; then kill -INT "$PERF_PID" 2>/dev/null; wait "$PERF_PID" 2>/dev/null; fi
  if [ -n "$ZEGEL_PID" ]; then kill "$ZEGEL_PID" 2>/dev/null; wait "$ZEGEL_PID" 2>/dev/null; fi
  for pid in $ZEGEL_PIDS; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  if [ -n "$PG_SCHEMA" ]; then psql -q "$PG_URL" -c "DROP SCHEMA $PG_SCHEMA CASCADE" >/dev/null 2>&1; fi
  if [ -n "$POSTFIX_CONF" ]; then stop_postfix; fi
  # The sinks the driver started (normally stopped by the driver itself).
  if [ -f "$WORK/sink.pids" ]; then
    while read -r pid; do
      if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = smtp-sink ]; then kill "$pid" 2>/dev/null; fi
    done <"$WORK/sink.pids"
  fi
  if [ -n "${KEEP:-}" ]; then echo "kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

listening() { # port: is something listening on 127.0.0.1:port?
  python3 - "$1" <<'EOF'
import sys
want = "0100007F:%04X" % int(sys.argv[1])
lines = open("/proc/net/tcp").read().splitlines()[1:]
sys.exit(0 if any(l.split()[1].upper() == want and l.split()[3] == "0A" for l in lines) else 1)
EOF
}

# Do not measure while the portal benchmark runs on the same cores.
while pgrep -f 'scripts/bench/portal_load' >/dev/null 2>&1; do
  log "portal_load is running; waiting"
  sleep 10
done

echo "== machine"
echo "date:      $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "cpu:       $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
echo "memory:    $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
echo "kernel:    $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "disk:      $(findmnt -no SOURCE,FSTYPE -T "$WORK" | tr -s ' ') ($WORK)"
echo "load avg:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo "busiest:   $(ps -eo pcpu=,comm= --sort=-pcpu | head -4 | awk '{printf "%s %s%%; ", $2, $1}')"
echo "postfix:   $(dpkg-query -W -f='${Version}' postfix 2>/dev/null)"
echo "zegel:     $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- crates 2>/dev/null || echo ' (crates/ changed since)') ($ZEGEL_BIN)"
echo "load:      $MESSAGES messages of $SIZE bytes per run, $SESSIONS sessions ($PROBES timed), warm-up $WARMUP"

python3 "$DRIVER" message --size "$SIZE" --out "$WORK/normal.txt" >/dev/null
python3 "$DRIVER" message --size "$SIZE" --secure --out "$WORK/secure.txt" >/dev/null

# --- zegel -------------------------------------------------------------------

start_zegel() { # dir sink_port [database_url shared_dir] -> ZEGEL_PID, SMTP_PORT
  local dir=$1 sink=$2 db=${3:-} shared=${4:-}
  "$ZEGEL_BIN" init --domain zorg.nl --dir "$dir" >/dev/null
  SMTP_PORT=$(free_port)
  local http
  http=$(free_port)
  python3 - "$dir/zegel.toml" "$SMTP_PORT" "$http" "$sink" "${DELIVERY_CONCURRENCY:-}" "$db" "$shared" <<'EOF'
import sys
path, smtp, http, sink, concurrency, db, shared = sys.argv[1:]
text = open(path).read()
edits = [
    ('listen = "127.0.0.1:2525"', f'listen = "127.0.0.1:{smtp}"'),
    ('# relay_host = "smarthost.lan:25"', f'relay_host = "127.0.0.1:{sink}"'),
    ('listen = "127.0.0.1:8080"', f'listen = "127.0.0.1:{http}"'),
]
if concurrency:
    edits.append(("concurrency = 20", f"concurrency = {int(concurrency)}"))
if db:
    edits.append(('# database_url = "sqlite://zegel-data/zegel.db"', f'database_url = "{db}"'))
    edits.append(('key_file = "zegel-data/kek.key"', f'key_file = "{shared}/kek.key"'))
    edits.append(('# blobs = "s3://zegel-blobs/node-1"', f'blobs = "{shared}/blobs"'))
for old, new in edits:
    if old not in text:
        sys.exit(f"zegel.toml template lacks {old!r}")
    text = text.replace(old, new, 1)
open(path, "w").write(text)
EOF
  "$ZEGEL_BIN" serve --config "$dir/zegel.toml" >"$dir/serve.log" 2>&1 &
  ZEGEL_PID=$!
  for _ in $(seq 300); do grep -q 'SMTP listening on' "$dir/serve.log" && break; sleep 0.1; done
  grep -q 'SMTP listening on' "$dir/serve.log" || { cat "$dir/serve.log"; exit 1; }
}

stop_zegel() {
  if [ -n "$ZEGEL_PID" ]; then
    kill "$ZEGEL_PID" 2>/dev/null || true
    wait "$ZEGEL_PID" 2>/dev/null || true
    ZEGEL_PID=""
  fi
}

run_zegel() { # label message-file deliveries-per-message
  local label=$1 msg=$2 per=$3 dir="$WORK/$1" sink
  sink=$(free_port)
  start_zegel "$dir" "$sink"
  # What zegel makes of the message (must be normal, or secure for the secure run).
  echo "$label: verdict $("$ZEGEL_BIN" classify --config "$dir/zegel.toml" --json "$msg" | python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])')"
  if [ -n "${PERF:-}" ]; then
    perf record -q -e cpu-clock -F 999 --call-graph dwarf,16384 -p "$ZEGEL_PID" -o "$PERF" >/dev/null 2>&1 &
    PERF_PID=$!
  fi
  local rc=0
  python3 "$DRIVER" run --label "$label" --port "$SMTP_PORT" --sink-port "$sink" \
    --message "$msg" --messages "$MESSAGES" --sessions "$SESSIONS" --probes "$PROBES" \
    --warmup "$WARMUP" --deliveries-per-message "$per" --timeout "$TIMEOUT" \
    --server-pid "$ZEGEL_PID" --pid-file "$WORK/sink.pids" --out "$WORK/results.jsonl" || rc=$?
  if [ -n "$PERF_PID" ]; then
    kill -INT "$PERF_PID" 2>/dev/null; wait "$PERF_PID" 2>/dev/null || true
    PERF_PID=""; PERF=""
  fi
  if grep -qiE ' (ERROR|WARN) |panic' "$dir/serve.log"; then
    echo "$label: zegel log:"; grep -iE ' (ERROR|WARN) |panic' "$dir/serve.log" | head -10
  fi
  stop_zegel
  [ -n "${KEEP:-}" ] || rm -rf "$dir" # the next run starts empty
  return $rc
}

run_zegel_pg() { # label message-file nodes: zegel on PostgreSQL, NODES nodes
  local label=$1 msg=$2 nodes=$3 dir="$WORK/$1" sink ports="" pids="" postmaster
  sink=$(free_port)
  PG_SCHEMA="zb_$(date +%s)_$$"
  psql -q "$PG_URL" -c "CREATE SCHEMA $PG_SCHEMA" >/dev/null
  local url="$PG_URL?options[search_path]=$PG_SCHEMA"
  [[ $PG_URL == *\?* ]] && url="$PG_URL&options[search_path]=$PG_SCHEMA"
  mkdir -p "$dir/shared"
  for n in $(seq "$nodes"); do
    start_zegel "$dir/node$n" "$sink" "$url" "$dir/shared"
    ZEGEL_PIDS="$ZEGEL_PIDS $ZEGEL_PID"
    ports="$ports${ports:+,}$SMTP_PORT"
    pids="$pids${pids:+,}$ZEGEL_PID"
    ZEGEL_PID=""
  done
  # PostgreSQL's work is the server's too: its postmaster and backends.
  postmaster=$(head -1 "$(psql -qtA "$PG_URL" -c 'SHOW data_directory')/postmaster.pid" 2>/dev/null || true)
  [ -n "$postmaster" ] && pids="$pids,$postmaster"
  echo "$label: $nodes node(s) on PostgreSQL, SMTP ports $ports"
  local rc=0
  python3 "$DRIVER" run --label "$label" --port "$ports" --sink-port "$sink" \
    --message "$msg" --messages "$MESSAGES" --sessions "$SESSIONS" --probes "$PROBES" \
    --warmup "$WARMUP" --deliveries-per-message 1 --timeout "$TIMEOUT" \
    --server-pid "$pids" --pid-file "$WORK/sink.pids" --out "$WORK/results.jsonl" || rc=$?
  for n in $(seq "$nodes"); do
    if grep -qiE ' (ERROR|WARN) |panic' "$dir/node$n/serve.log"; then
      echo "$label node $n: zegel log:"; grep -iE ' (ERROR|WARN) |panic' "$dir/node$n/serve.log" | head -10
    fi
  done
  for pid in $ZEGEL_PIDS; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done
  ZEGEL_PIDS=""
  psql -q "$PG_URL" -c "DROP SCHEMA $PG_SCHEMA CASCADE" >/dev/null
  PG_SCHEMA=""
  [ -n "${KEEP:-}" ] || rm -rf "$dir"
  return $rc
}

# --- Postfix -----------------------------------------------------------------

stop_postfix() {
  local conf=$POSTFIX_CONF pidfile
  pidfile="$(dirname "$conf")/queue/pid/master.pid"
  /usr/sbin/postfix -c "$conf" stop >/dev/null 2>&1
  for _ in $(seq 300); do
    [ -f "$pidfile" ] && [ -d "/proc/$(tr -d ' ' <"$pidfile")" ] || break
    sleep 0.1
  done
  if [ -f "$pidfile" ] && [ -d "/proc/$(tr -d ' ' <"$pidfile")" ]; then
    /usr/sbin/postfix -c "$conf" abort >/dev/null 2>&1
    sleep 1
  fi
  POSTFIX_CONF=""
}

run_postfix() { # label message-file
  local label=$1 msg=$2 dir="$WORK/$1" sink port
  sink=$(free_port)
  port=$(free_port)
  mkdir -p "$dir/conf" "$dir/queue" "$dir/data"
  chmod 755 "$dir"
  chown postfix "$dir/data" # locks and caches belong to Postfix's user
  # Postfix's defaults, except: private folders, 127.0.0.1 only, no local
  # delivery, relay everything to the sink, no DNS, log to a file.
  cat >"$dir/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
myhostname = postfix.bench
mydomain = postfix.bench
myorigin = postfix.bench
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relayhost = [127.0.0.1]:$sink
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtp_dns_support_level = disabled
maillog_file = $dir/postfix.log
maillog_file_prefixes = $dir
biff = no
EOF
  # smtpd on 127.0.0.1:port, the daemons relaying needs; nothing chrooted.
  cat >"$dir/conf/master.cf" <<EOF
127.0.0.1:$port inet n - n - - smtpd
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
local unix - n n - - local
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
EOF
  POSTFIX_CONF="$dir/conf"
  # `check` makes the queue's subfolders with their owners and modes (not
  # `set-permissions`: that also resets system files).
  /usr/sbin/postfix -c "$POSTFIX_CONF" check
  /usr/sbin/postfix -c "$POSTFIX_CONF" start >/dev/null 2>&1 || { cat "$dir/postfix.log" 2>/dev/null; exit 1; }
  for _ in $(seq 300); do listening "$port" && break; sleep 0.1; done
  listening "$port" || { cat "$dir/postfix.log" 2>/dev/null; exit 1; }
  local master rc=0
  master=$(tr -d ' ' <"$dir/queue/pid/master.pid")
  python3 "$DRIVER" run --label "$label" --port "$port" --sink-port "$sink" \
    --message "$msg" --messages "$MESSAGES" --sessions "$SESSIONS" --probes "$PROBES" \
    --warmup "$WARMUP" --timeout "$TIMEOUT" \
    --server-pid "$master" --pid-file "$WORK/sink.pids" --out "$WORK/results.jsonl" || rc=$?
  if grep -qE 'warning|fatal|panic|status=(deferred|bounced)' "$dir/postfix.log"; then
    echo "$label: postfix log:"; grep -E 'warning|fatal|panic|status=(deferred|bounced)' "$dir/postfix.log" | head -10
  fi
  stop_postfix
  [ -n "${KEEP:-}" ] || rm -rf "$dir"
  return $rc
}

# --- the runs ------------------------------------------------------------------

failed=0
for i in $(seq "$REPEAT"); do
  suffix=""
  [ "$REPEAT" -gt 1 ] && suffix="-$i"
  for run in $RUNS; do
    log "run $run$suffix: $MESSAGES messages"
    case $run in
      zegel) run_zegel "zegel$suffix" "$WORK/normal.txt" 1 || failed=1 ;;
      zegel-secure) run_zegel "zegel-secure$suffix" "$WORK/secure.txt" 2 || failed=1 ;;
      postfix) run_postfix "postfix$suffix" "$WORK/normal.txt" || failed=1 ;;
      zegel-pg) run_zegel_pg "zegel-pg$suffix" "$WORK/normal.txt" 1 || failed=1 ;;
      zegel-pg2) run_zegel_pg "zegel-pg2$suffix" "$WORK/normal.txt" 2 || failed=1 ;;
      *) log "unknown run $run (zegel, zegel-secure, postfix, zegel-pg, zegel-pg2)"; exit 2 ;;
    esac
    sleep 2 # let the disk settle between runs
  done
done

echo
echo "== results (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
python3 "$DRIVER" table "$WORK/results.jsonl"
if [ -n "${RESULTS:-}" ]; then cat "$WORK/results.jsonl" >>"$RESULTS"; fi
exit $failed

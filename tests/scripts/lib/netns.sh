# shellcheck shell=bash
# Shared by the capture scripts of tests/scripts: the bound on a whole run, the checks that skip it, background
# processes in network namespaces bounded in time, tcpdump captures, the clean-up of a run (and of what a killed run
# left), and the DNS and web client of the scenarios. Sourced at the top of a script: nothing runs here. The functions
# use what the sourcing script sets: WORK (a work folder), OUT (the output folder, set by prepare_out), PIDS (an
# associative array, name -> pid), TMP_ROOT, and for the client NS_C and WEB_NAME.

# The scripts' exit status for "this machine cannot run it" (the automake skip code).
readonly SKIP=77
# Ends the script with SKIP (the last line on standard error says why), or as failed.
skip() { echo "$(basename "$0" .sh): cannot run here: $*" >&2; exit "$SKIP"; }
fail() { echo "$(basename "$0" .sh): $*" >&2; exit 1; }

# Re-runs the calling script under timeout, once (the exported variable VAR marks the bounded run), so the whole run is
# bounded and its EXIT trap still cleans up. From the script's top level: run_bounded VAR SECONDS "$@".
run_bounded() {
  local var=$1 seconds=$2
  shift 2
  [ -z "${!var:-}" ] || return 0
  export "$var"=1
  exec timeout --kill-after=10 "$seconds" "$0" "$@"
}

# Skips the script unless it runs as root (WHY says what needs it) and every TOOL is on the PATH.
require_root_and_tools() {
  local why=$1 tool missing=()
  shift
  [ "$(id -u)" -eq 0 ] || skip "must run as root ($why)"
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  [ ${#missing[@]} -eq 0 ] || skip "missing tools: ${missing[*]}"
}

# Sets OUT to the folder DIR (made, and absolute), without an earlier run's captures, manifest and logs.
prepare_out() {
  mkdir -p "$1"
  OUT=$(cd "$1" && pwd)
  rm -f "$OUT"/*.pcap "$OUT/manifest.tsv"
  rm -rf "$OUT/logs"
  mkdir -p "$OUT/logs"
}

# The EXIT trap of a run: ends the background processes, removes the namespaces NS..., keeps the services' own logs
# (WORK/NAME.out as OUT/logs/server-NAME.txt for each NAME of SERVICE_LOGS, when the script sets it) for whoever reads
# a failure, removes WORK and exits with STATUS. Set as: trap 'end_run $? "$NS_A" "$NS_B"' EXIT
end_run() {
  local status=$1 ns name
  shift
  trap - EXIT INT TERM
  stop_all_bg
  for ns in "$@"; do remove_namespace "$ns"; done
  for name in ${SERVICE_LOGS[@]+"${SERVICE_LOGS[@]}"}; do
    if [ -f "$WORK/$name.out" ]; then cp "$WORK/$name.out" "$OUT/logs/server-$name.txt"; fi
  done
  cd /
  rm -rf "$WORK"
  exit "$status"
}

# Removes a namespace after killing what still runs in it.
remove_namespace() {
  local ns=$1 pid
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  timeout 10 ip netns delete "$ns" 2>/dev/null || true
}

# Removes what an earlier run that was killed outright (its process is gone) left: its namespaces, named
# PATTERN-<pid> (PATTERN an extended regular expression), and its work folders, TMP_ROOT/PREFIX<pid>.*.
remove_stale_runs() {
  local pattern=$1 prefix=$2 ns dir
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
    if [[ $ns =~ ^${pattern}-([0-9]+)$ ]] && ! kill -0 "${BASH_REMATCH[-1]}" 2>/dev/null; then
      remove_namespace "$ns"
    fi
  done
  for dir in "$TMP_ROOT/$prefix"*; do
    if [[ $dir =~ /${prefix}([0-9]+)\.[^/]+$ ]] && ! kill -0 "${BASH_REMATCH[1]}" 2>/dev/null; then rm -rf "$dir"; fi
  done
}

# Starts a long-running process in a namespace under a timeout (so it dies even if the script is killed): 160 s,
# or BG_SECONDS when the sourcing script sets it (to its own bound: a daemon must outlive every scenario).
start_bg() {
  local name=$1 ns=$2; shift 2
  timeout --kill-after=5 "${BG_SECONDS:-160}" ip netns exec "$ns" "$@" >>"$WORK/$name.out" 2>&1 &
  PIDS[$name]=$!
}

# Stops a process start_bg started (TERM unless told otherwise) and waits for it.
stop_bg() {
  local name=$1 sig=${2:-TERM}
  [ -n "${PIDS[$name]:-}" ] || return 0
  kill -"$sig" "${PIDS[$name]}" 2>/dev/null || true
  wait "${PIDS[$name]}" 2>/dev/null || true
  unset "PIDS[$name]"
}

# Ends every background process still in PIDS: TERM, then KILL for those still there after 5 s (for the EXIT trap).
stop_all_bg() {
  local name
  for name in "${!PIDS[@]}"; do
    kill -TERM "${PIDS[$name]}" 2>/dev/null || true
  done
  for name in "${!PIDS[@]}"; do
    timeout 5 tail --pid="${PIDS[$name]}" -f /dev/null 2>/dev/null || kill -KILL "${PIDS[$name]}" 2>/dev/null || true
  done
}

# Waits until something in namespace NS listens (STATE open) or no longer listens (closed) on PROTO (udp|tcp) PORT.
wait_port() {
  local ns=$1 state=$2 proto=$3 port=$4 flag=-Hlun
  [ "$proto" = tcp ] && flag=-Hltn
  for _ in $(seq 50); do
    if [ -n "$(timeout 10 ip netns exec "$ns" ss $flag "sport = :$port")" ]; then
      [ "$state" = open ] && return 0
    else
      [ "$state" = closed ] && return 0
    fi
    sleep 0.1
  done
  fail "$proto/$port in $ns is not $state"
}

# Writes WORK/nginx.conf: one worker in the foreground, at most CONNECTIONS connections, every file it writes in WORK,
# and one server with the DIRECTIVEs given (listen, server_name, ...) that answers every request 200 "ok".
write_nginx_conf() {
  local connections=$1 directive
  shift
  {
    cat <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections $connections; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-body;
  proxy_temp_path $WORK/nginx-proxy;
  fastcgi_temp_path $WORK/nginx-fastcgi;
  uwsgi_temp_path $WORK/nginx-uwsgi;
  scgi_temp_path $WORK/nginx-scgi;
  server {
EOF
    for directive in "$@"; do printf '    %s\n' "$directive"; done
    cat <<'EOF'
    default_type text/plain;
    location / { return 200 "ok\n"; }
  }
}
EOF
  } >"$WORK/nginx.conf"
}

# Starts tcpdump in namespace NS on interface IFACE, writing OUT/FILE, for SECONDS at most; KEY names it in PIDS and its
# messages go to WORK/KEY.err. Returns once it listens. Further arguments are more tcpdump options.
capture_on() {
  local key=$1 ns=$2 iface=$3 file=$4 seconds=$5
  shift 5
  : >"$WORK/$key.err"
  timeout --kill-after=5 "$seconds" ip netns exec "$ns" \
    tcpdump -i "$iface" -n -s 0 -U "$@" -Z root -w "$OUT/$file" 2>"$WORK/$key.err" &
  PIDS[$key]=$!
  for _ in $(seq 50); do
    grep -q 'listening on' "$WORK/$key.err" && return 0
    kill -0 "${PIDS[$key]}" 2>/dev/null || break
    sleep 0.1
  done
  fail "tcpdump did not start on $iface: $(cat "$WORK/$key.err")"
}

# Stops the capture KEY with SIGINT, so tcpdump flushes the file, appends its messages to LOG, and fails unless it
# wrote OUT/FILE.
capture_off() {
  local key=$1 file=$2 log=$3
  stop_bg "$key" INT
  cat "$WORK/$key.err" >>"$log"
  [ -s "$OUT/$file" ] || fail "no capture written to $file"
}

# Resolves NAME (of TYPE) at SERVER as the client (namespace NS_C) would: dig, bounded to three tries one second apart,
# with more dig OPTIONs; appends the exchange to LOG. Sets DIG_RC (dig's exit code), DIG_STATUS (the rcode, or
# no-reply), DIG_ADDR (the first A record) and DIG_ANSWERS (the answer count dig printed, 0 without an answer).
resolve() {
  local log=$1 server=$2 name=$3 type=$4
  shift 4
  DIG_RC=0
  timeout 10 ip netns exec "$NS_C" dig @"$server" "$name" "$type" +tries=3 +timeout=1 "$@" >"$WORK/dig.out" 2>&1 \
    || DIG_RC=$?
  { echo "\$ dig @$server $name $type +tries=3 +timeout=1 $*  (exit $DIG_RC)"; cat "$WORK/dig.out"; } >>"$log"
  DIG_STATUS=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' "$WORK/dig.out" | head -n 1)
  [ -n "$DIG_STATUS" ] || DIG_STATUS=no-reply
  DIG_ADDR=$(awk '$4 == "A" && $1 !~ /^;/ {print $5; exit}' "$WORK/dig.out")
  DIG_ANSWERS=$(sed -n 's/.*ANSWER: \([0-9]*\),.*/\1/p' "$WORK/dig.out" | head -n 1)
  [ -n "$DIG_ANSWERS" ] || DIG_ANSWERS=0
}

# Fetches http://WEB_NAME/ from DIG_ADDR when the name resolved (a client that could not resolve never connects), for
# MAX_TIME seconds at most; appends what curl said to LOG. Sets CURL_RC (or "-" when curl was not run) and HTTP_CODE.
fetch() {
  local log=$1 max_time=$2
  CURL_RC=- HTTP_CODE=-
  [ -n "$DIG_ADDR" ] || { echo "(no address: curl not run)" >>"$log"; return 0; }
  CURL_RC=0
  HTTP_CODE=$(timeout 10 ip netns exec "$NS_C" curl -sS -o /dev/null -w '%{http_code}' --max-time "$max_time" \
    --resolve "$WEB_NAME:80:$DIG_ADDR" "http://$WEB_NAME/" 2>"$WORK/curl.err") || CURL_RC=$?
  { echo "\$ curl --max-time $max_time http://$WEB_NAME/  (exit $CURL_RC, http $HTTP_CODE)"; cat "$WORK/curl.err"; } \
    >>"$log"
}

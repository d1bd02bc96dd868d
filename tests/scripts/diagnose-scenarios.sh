#!/usr/bin/env bash
# Runs `nettriage diagnose` against broken setups, for the live diagnosis tests.
#
# usage: diagnose-scenarios.sh OUTDIR NETTRIAGE_DLL CERTDIR
#
# Three private network namespaces (client, router, server; veth pairs, IPv4 only) play a small network:
# the server runs a DNS service (dnsmasq) that answers www.example.test and a web service (nginx) on port
# 80 and, with the self-signed certificate CERTDIR/cert.pem + CERTDIR/key.pem, on port 443. Each scenario
# breaks one thing, runs `dotnet NETTRIAGE_DLL diagnose ... --format json` inside the client namespace
# (so the live capture and the probes see only the namespace's interfaces), writes OUTDIR/<scenario>.json,
# its standard error OUTDIR/<scenario>.err and its capture OUTDIR/<scenario>.pcapng, and restores the setup.
# OUTDIR/manifest.tsv lists each scenario with nettriage's exit status and run time.
#
# Nothing outside the namespaces this script creates is touched: every address lives inside them.
# Exit status: 0 when every scenario ran; 77 when this machine cannot run it (not root, no network
# namespaces, a tool missing: the last line on standard error says why); anything else is a failure.
set -euo pipefail

if [ -z "${NT_DIAGNOSE_BOUNDED:-}" ]; then
  export NT_DIAGNOSE_BOUNDED=1
  exec timeout --kill-after=10 400 "$0" "$@"
fi

readonly SKIP=77
skip() { echo "diagnose-scenarios: cannot run here: $*" >&2; exit "$SKIP"; }
fail() { echo "diagnose-scenarios: $*" >&2; exit 1; }

[ $# -eq 3 ] || { echo "usage: $0 OUTDIR NETTRIAGE_DLL CERTDIR" >&2; exit 2; }
DLL=$2
CERTS=$3
[ -f "$DLL" ] || fail "no such file: $DLL"
[ -f "$CERTS/cert.pem" ] && [ -f "$CERTS/key.pem" ] || fail "no cert.pem and key.pem in $CERTS"

[ "$(id -u)" -eq 0 ] || skip "must run as root (network namespaces and iptables need it)"
missing=()
for tool in ip iptables dnsmasq nginx ss ping timeout setpriv dotnet; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] || skip "missing tools: ${missing[*]}"

mkdir -p "$1"
OUT=$(cd "$1" && pwd)
rm -f "$OUT"/*.json "$OUT"/*.err "$OUT"/*.pcapng "$OUT"/*.txt "$OUT/manifest.tsv"

readonly SUFFIX=$$
readonly NS_C="nt-dc-$SUFFIX" NS_R="nt-dr-$SUFFIX" NS_S="nt-ds-$SUFFIX"
readonly CLIENT_IP=10.98.1.2 ROUTER_C_IP=10.98.1.1 ROUTER_S_IP=10.98.2.1 SERVER_IP=10.98.2.2
readonly WEB_NAME=www.example.test
readonly TMP_ROOT=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$TMP_ROOT/nt-diagnose-$SUFFIX.XXXXXX")
readonly WORK

declare -A PIDS=()

remove_namespace() {
  local ns=$1 pid
  for pid in $(ip netns pids "$ns" 2>/dev/null); do
    kill -KILL "$pid" 2>/dev/null || true
  done
  timeout 10 ip netns delete "$ns" 2>/dev/null || true
}

cleanup() {
  local status=$? name
  trap - EXIT INT TERM
  for name in "${!PIDS[@]}"; do
    kill -TERM "${PIDS[$name]}" 2>/dev/null || true
  done
  for name in "${!PIDS[@]}"; do
    timeout 5 tail --pid="${PIDS[$name]}" -f /dev/null 2>/dev/null || kill -KILL "${PIDS[$name]}" 2>/dev/null || true
  done
  for ns in "$NS_C" "$NS_R" "$NS_S"; do remove_namespace "$ns"; done
  for name in dns web; do
    if [ -f "$WORK/$name.out" ]; then cp "$WORK/$name.out" "$OUT/server-$name.txt"; fi
  done
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Leftovers of a run that was killed outright (its process is gone) are removed.
for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
  if [[ $ns =~ ^nt-d[crs]-([0-9]+)$ ]] && ! kill -0 "${BASH_REMATCH[1]}" 2>/dev/null; then
    remove_namespace "$ns"
  fi
done
for dir in "$TMP_ROOT"/nt-diagnose-*; do
  if [[ $dir =~ /nt-diagnose-([0-9]+)\.[^/]+$ ]] && ! kill -0 "${BASH_REMATCH[1]}" 2>/dev/null; then
    rm -rf "$dir"
  fi
done

in_ns() { local ns=$1; shift; timeout 10 ip netns exec "$ns" "$@"; }

# --- topology ---------------------------------------------------------------------------------------
err=$(timeout 10 ip netns add "$NS_C" 2>&1) || skip "cannot create a network namespace (ip netns add: $err)"
timeout 10 ip netns add "$NS_R"
timeout 10 ip netns add "$NS_S"
for ns in "$NS_C" "$NS_R" "$NS_S"; do
  in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  timeout 10 ip -n "$ns" link set lo up
done
err=$(in_ns "$NS_R" iptables -L FORWARD -n 2>&1) || skip "iptables does not work in a network namespace: $err"

timeout 10 ip -n "$NS_C" link add c0 type veth peer name r0 netns "$NS_R"
timeout 10 ip -n "$NS_R" link add r1 type veth peer name s0 netns "$NS_S"
timeout 10 ip -n "$NS_C" addr add "$CLIENT_IP/24" dev c0
timeout 10 ip -n "$NS_R" addr add "$ROUTER_C_IP/24" dev r0
timeout 10 ip -n "$NS_R" addr add "$ROUTER_S_IP/24" dev r1
timeout 10 ip -n "$NS_S" addr add "$SERVER_IP/24" dev s0
for pair in "$NS_C c0" "$NS_R r0" "$NS_R r1" "$NS_S s0"; do
  # shellcheck disable=SC2086
  set -- $pair
  timeout 10 ip -n "$1" link set "$2" up
done
in_ns "$NS_R" sysctl -qw net.ipv4.ip_forward=1
timeout 10 ip -n "$NS_C" route add default via "$ROUTER_C_IP"
timeout 10 ip -n "$NS_S" route add default via "$ROUTER_S_IP"
in_ns "$NS_C" ping -c 1 -W 2 "$SERVER_IP" >/dev/null 2>&1 || fail "the client cannot reach the server after setup"

# --- services on the server -------------------------------------------------------------------------
start_bg() {
  local name=$1 ns=$2; shift 2
  timeout --kill-after=5 390 ip netns exec "$ns" "$@" >>"$WORK/$name.out" 2>&1 &
  PIDS[$name]=$!
}

stop_bg() {
  local name=$1
  [ -n "${PIDS[$name]:-}" ] || return 0
  kill -TERM "${PIDS[$name]}" 2>/dev/null || true
  wait "${PIDS[$name]}" 2>/dev/null || true
  unset "PIDS[$name]"
}

listening() {
  local proto=$1 port=$2 flag=-Hlun
  [ "$proto" = tcp ] && flag=-Hltn
  [ -n "$(in_ns "$NS_S" ss $flag "sport = :$port")" ]
}

wait_listening() {
  for _ in $(seq 50); do listening "$1" "$2" && return 0; sleep 0.1; done
  fail "nothing listens on $1/$2 in the server namespace"
}

wait_not_listening() {
  for _ in $(seq 50); do listening "$1" "$2" || return 0; sleep 0.1; done
  fail "something still listens on $1/$2 in the server namespace"
}

start_dns() {
  start_bg dns "$NS_S" dnsmasq --keep-in-foreground --no-resolv --no-hosts --user=root --bind-interfaces --port=53 \
    --listen-address="$SERVER_IP" --log-facility=- --log-queries --pid-file="$WORK/dnsmasq.pid" \
    --address=/"$WEB_NAME"/"$SERVER_IP" --local=/example.test/
  wait_listening udp 53
  wait_listening tcp 53
}

stop_dns() {
  stop_bg dns
  wait_not_listening udp 53
}

cat >"$WORK/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-body;
  proxy_temp_path $WORK/nginx-proxy;
  fastcgi_temp_path $WORK/nginx-fastcgi;
  uwsgi_temp_path $WORK/nginx-uwsgi;
  scgi_temp_path $WORK/nginx-scgi;
  server {
    listen $SERVER_IP:80;
    listen $SERVER_IP:443 ssl;
    server_name $WEB_NAME;
    ssl_certificate $CERTS/cert.pem;
    ssl_certificate_key $CERTS/key.pem;
    default_type text/plain;
    location / { return 200 "ok\n"; }
  }
}
EOF

start_web() {
  start_bg web "$NS_S" nginx -p "$WORK" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf"
  wait_listening tcp 80
  wait_listening tcp 443
}

stop_web() {
  stop_bg web
  wait_not_listening tcp 80
}

# -w: wait for the xtables lock, which is shared with other namespaces (and other test runs) on this machine.
ipt() { in_ns "$1" iptables -w 5 "${@:2}"; }

printf 'scenario\texit\tseconds\n' >"$OUT/manifest.tsv"

# One scenario: nettriage diagnose in the client namespace, JSON to OUTDIR/<scenario>.json. Extra arguments
# go to nettriage; NT_PREFIX (a command and its arguments) runs before it, e.g. to drop capabilities.
run_diagnose() {
  local scenario=$1 url=$2; shift 2
  local start=$SECONDS rc=0
  timeout --kill-after=5 60 ip netns exec "$NS_C" ${NT_PREFIX:-} dotnet "$DLL" diagnose "$url" \
    --resolver "$SERVER_IP" --budget 15 --capture "$OUT/$scenario.pcapng" --format json "$@" \
    >"$OUT/$scenario.json" 2>"$OUT/$scenario.err" || rc=$?
  printf '%s\t%s\t%s\n' "$scenario" "$rc" "$((SECONDS - start))" >>"$OUT/manifest.tsv"
  echo "diagnose-scenarios: $scenario: exit $rc in $((SECONDS - start)) s" >&2
}

start_dns
start_web

# --- scenarios: each breaks one thing and restores it -----------------------------------------------
run_diagnose healthy "http://$WEB_NAME/"
# The same, as text, with the report written to a file: the capture goes beside it by default.
mkdir -p "$OUT/text"
timeout --kill-after=5 60 ip netns exec "$NS_C" dotnet "$DLL" diagnose "http://$WEB_NAME/" --resolver "$SERVER_IP" \
  --budget 15 -o "$OUT/text/healthy.txt" 2>"$OUT/text/healthy.err" || fail "the text run failed: $(cat "$OUT/text/healthy.err")"

run_diagnose https-self-signed "https://$WEB_NAME/"

stop_dns
run_diagnose dns-stopped "http://$WEB_NAME/"
# Without CAP_NET_RAW and CAP_NET_ADMIN (still root otherwise): the capture cannot start, the probes run.
NT_PREFIX="setpriv --inh-caps=-net_raw,-net_admin --bounding-set=-net_raw,-net_admin" run_diagnose no-capture "http://$WEB_NAME/"
start_dns

ipt "$NS_S" -A INPUT -p udp --dport 53 -j REJECT --reject-with icmp-admin-prohibited
run_diagnose dns-reject-admin "http://$WEB_NAME/"
ipt "$NS_S" -D INPUT -p udp --dport 53 -j REJECT --reject-with icmp-admin-prohibited

ipt "$NS_R" -A FORWARD -p udp --dport 53 -j REJECT --reject-with icmp-admin-prohibited
run_diagnose dns-reject-router-admin "http://$WEB_NAME/"
ipt "$NS_R" -D FORWARD -p udp --dport 53 -j REJECT --reject-with icmp-admin-prohibited

ipt "$NS_S" -A INPUT -p udp --dport 53 -j DROP
run_diagnose dns-drop "http://$WEB_NAME/"
ipt "$NS_S" -D INPUT -p udp --dport 53 -j DROP

run_diagnose unknown-name "http://nosuch.example.test/"

stop_web
run_diagnose web-down "http://$WEB_NAME/"
start_web

ipt "$NS_S" -A INPUT -p tcp --dport 80 -j DROP
run_diagnose web-drop "http://$WEB_NAME/"
ipt "$NS_S" -D INPUT -p tcp --dport 80 -j DROP

ipt "$NS_S" -A INPUT -p tcp --dport 80 -j REJECT --reject-with icmp-admin-prohibited
run_diagnose web-reject-admin "http://$WEB_NAME/"
ipt "$NS_S" -D INPUT -p tcp --dport 80 -j REJECT --reject-with icmp-admin-prohibited

# The router loses its route to the server's network and answers ICMP net unreachable.
timeout 10 ip -n "$NS_R" route del 10.98.2.0/24 dev r1
run_diagnose no-route "http://$WEB_NAME/"
timeout 10 ip -n "$NS_R" route add 10.98.2.0/24 dev r1 proto kernel scope link src "$ROUTER_S_IP"

echo "diagnose-scenarios: ran $(($(wc -l <"$OUT/manifest.tsv") - 1)) scenarios into $OUT in ${SECONDS}s" >&2

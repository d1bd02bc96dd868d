#!/usr/bin/env bash
# Records real captures of traffic carried in a GRE tunnel, for
# tests/NetTriage.Analysis.Tests/RealCaptures/GreCaptureTests.cs.
#
# usage: make-gre-captures.sh OUTDIR
#
# Two private network namespaces (client, server) joined by a veth pair, the underlay: u0 (client, 10.97.0.2) to u1
# (server, 10.97.0.1). Each side runs lib/gre-tunnel.py, a GRE endpoint in user space (RFC 2784: a 4-byte header,
# protocol type 0x0800, then the inner IPv4 packet, sent on a raw socket of IP protocol 47 to the peer's underlay
# address), behind a TUN device that carries the overlay's addresses: client 10.97.1.2 on tun0, server 10.97.1.1 on
# tun1 (the kernel needs no GRE module: none is loaded on machines that have no gre device type). The client asks the
# server's DNS service (dnsmasq) for www.example.test over the tunnel, then fetches http://www.example.test/ from its
# web service (nginx). Each scenario breaks one thing (or nothing) as make-tunnel-captures.sh does, and is captured
# twice at once at the client: on the underlay u0 into OUTDIR/gre-<scenario>.pcap (every inner packet inside GRE,
# checked with tcpdump) and on tun0 into OUTDIR/gre-plain-<scenario>.pcap (the same traffic, plain; tcpdump gives a TUN
# device the link type RAW, IP packets without a link header).
# OUTDIR/manifest.tsv lists the captures, the finding each one should produce, what the client tools reported, the
# interface captured, and the number of answer records dig received.
#
# Tools: ip (iproute2, with the kernel's veth and tun devices), python3 (standard library), iptables, dnsmasq, nginx,
# dig, curl, ping, tcpdump, ss, timeout. It takes about 15 s (the bound is 120 s). Nothing outside the namespaces this
# script creates is touched: every address lives inside them.
# Exit status: 0 when every capture was made; 77 when this machine cannot run it (not root, no network namespaces, no
# /dev/net/tun, no raw socket of protocol 47, a tool missing: the last line on standard error says why); anything else
# is a failure.
set -euo pipefail

# skip, fail and the other helpers the capture scripts share
# shellcheck source=lib/netns.sh
source "$(dirname "$0")/lib/netns.sh"
# The whole run is bounded: the script re-runs itself under timeout, and the EXIT trap still cleans up.
run_bounded NT_GRE_BOUNDED 120 "$@"

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
require_root_and_tools "network namespaces, raw sockets, iptables and tcpdump need it" \
  ip python3 iptables dnsmasq nginx dig curl ping tcpdump ss timeout
prepare_out "$1"

GRE_TUNNEL="$(cd "$(dirname "$0")/lib" && pwd)/gre-tunnel.py"
readonly GRE_TUNNEL
# Names carry this run's process id so parallel runs do not clash.
readonly SUFFIX=$$
readonly NS_C="nt-gre-client-$SUFFIX" NS_S="nt-gre-server-$SUFFIX"
readonly UNDER_C=10.97.0.2 UNDER_S=10.97.0.1 CLIENT_IP=10.97.1.2 SERVER_IP=10.97.1.1
# The underlay's 1500 bytes less the outer IPv4 header (20) and GRE's (4).
readonly TUN_MTU=1476
readonly WEB_NAME=www.example.test
readonly TMP_ROOT=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$TMP_ROOT/nt-gre-$SUFFIX.XXXXXX")
readonly WORK
# The daemons and the tunnel endpoints must outlive every scenario, within the script's own bound.
readonly BG_SECONDS=110
# Background processes this script started (the timeout wrappers' ids), killed by id on exit.
declare -A PIDS=()

# The services' and the tunnel endpoints' own logs are kept beside the client's.
SERVICE_LOGS=(dns web gre-client gre-server)
trap 'end_run $? "$NS_C" "$NS_S"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

remove_stale_runs 'nt-gre-(client|server)' nt-gre-

in_ns() { local ns=$1; shift; timeout 10 ip netns exec "$ns" "$@"; }

# --- topology ---------------------------------------------------------------------------------------
err=$(timeout 10 ip netns add "$NS_C" 2>&1) || skip "cannot create a network namespace (ip netns add: $err)"
timeout 10 ip netns add "$NS_S"
for ns in "$NS_C" "$NS_S"; do
  in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  timeout 10 ip -n "$ns" link set lo up
done
err=$(in_ns "$NS_S" iptables -L INPUT -n 2>&1) || skip "iptables does not work in a network namespace: $err"
[ -c /dev/net/tun ] || skip "no /dev/net/tun (TUN devices)"

timeout 10 ip -n "$NS_C" link add u0 type veth peer name u1 netns "$NS_S"
timeout 10 ip -n "$NS_C" addr add "$UNDER_C/24" dev u0
timeout 10 ip -n "$NS_S" addr add "$UNDER_S/24" dev u1
timeout 10 ip -n "$NS_C" link set u0 up
timeout 10 ip -n "$NS_S" link set u1 up
err=$(in_ns "$NS_C" python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, 47).close()' 2>&1) \
  || skip "no raw socket of IP protocol 47 (GRE): ${err##*$'\n'}"
in_ns "$NS_C" ping -c 1 -W 2 "$UNDER_S" >/dev/null 2>&1 || fail "the client cannot reach the server on the underlay"


# The overlay: a TUN device on each side with its address (the /24 routes the peer into it), and the endpoint that
# carries it in GRE. The endpoint prints "ready" once it holds the device and the raw socket.
start_gre() {
  local side=$1 ns=$2 dev=$3 addr=$4 local=$5 remote=$6
  err=$(timeout 10 ip -n "$ns" tuntap add dev "$dev" mode tun 2>&1) || skip "cannot create a tun device: $err"
  timeout 10 ip -n "$ns" link set "$dev" mtu "$TUN_MTU"
  timeout 10 ip -n "$ns" addr add "$addr/24" dev "$dev"
  start_bg "gre-$side" "$ns" python3 -u "$GRE_TUNNEL" "$dev" "$local" "$remote" "$((BG_SECONDS - 5))"
  for _ in $(seq 50); do
    grep -q '^ready$' "$WORK/gre-$side.out" && break
    kill -0 "${PIDS[gre-$side]}" 2>/dev/null || fail "the GRE endpoint ($side) ended: $(cat "$WORK/gre-$side.out")"
    sleep 0.1
  done
  grep -q '^ready$' "$WORK/gre-$side.out" || fail "the GRE endpoint ($side) did not start"
  timeout 10 ip -n "$ns" link set "$dev" up
}
start_gre client "$NS_C" tun0 "$CLIENT_IP" "$UNDER_C" "$UNDER_S"
start_gre server "$NS_S" tun1 "$SERVER_IP" "$UNDER_S" "$UNDER_C"

in_ns "$NS_C" ping -c 1 -W 2 "$SERVER_IP" >/dev/null 2>&1 \
  || fail "the client cannot reach the server through GRE: $(cat "$WORK/gre-client.out" "$WORK/gre-server.out")"

# --- services on the server -------------------------------------------------------------------------
start_dns() {
  start_bg dns "$NS_S" dnsmasq --keep-in-foreground --no-resolv --no-hosts --user=root --bind-interfaces --port=53 \
    --listen-address="$SERVER_IP" --log-facility=- --log-queries --pid-file="$WORK/dnsmasq.pid" \
    --address=/"$WEB_NAME"/"$SERVER_IP" --local=/example.test/
  wait_port "$NS_S" open udp 53
}
stop_dns() {
  stop_bg dns
  wait_port "$NS_S" closed udp 53
}

write_nginx_conf 64 "listen $SERVER_IP:80;" "server_name $WEB_NAME;"
start_web() {
  start_bg web "$NS_S" nginx -p "$WORK" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf"
  wait_port "$NS_S" open tcp 80
}
stop_web() {
  stop_bg web
  wait_port "$NS_S" closed tcp 80
}

# --- capture and client -----------------------------------------------------------------------------
printf 'scenario\tpcap\texpected_kind\tdescription\tdig_exit\tdig_status\tcurl_exit\thttp_code\tinterface\tanswers\n' \
  >"$WORK/manifest.tsv"
record() {
  local name=$1 kind=$2 iface=$3 description=$4
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$name.pcap" "$kind" "$description" \
    "$DIG_RC" "$DIG_STATUS" "$CURL_RC" "$HTTP_CODE" "$iface" "$DIG_ANSWERS" >>"$WORK/manifest.tsv"
}

# One scenario, captured on the underlay and on the TUN device at once: resolve, fetch, record both. Checks that the
# client saw what the scenario is meant to produce, that the underlay capture holds GRE (tcpdump reads each packet
# between the underlay addresses as 'GREv0, length N: IP ...', the inner packet after it) and no ICMP protocol
# unreachable, so a broken setup fails here instead of yielding a wrong capture.
run_gre() {
  local scenario=$1 kind=$2 fetch_time=$3 linger=$4 want_status=$5 want_http=$6 description=$7 log
  log="$OUT/logs/$scenario.txt"
  : >"$log"
  capture_on underlay "$NS_C" u0 "gre-$scenario.pcap" 60 --immediate-mode
  capture_on overlay "$NS_C" tun0 "gre-plain-$scenario.pcap" 60 --immediate-mode
  resolve "$log" "$SERVER_IP" "$WEB_NAME" A
  fetch "$log" "$fetch_time"
  # Late replies (the last ICMP error, a retransmitted SYN) land before the capture stops.
  sleep "$linger"
  capture_off underlay "gre-$scenario.pcap" "$log"
  capture_off overlay "gre-plain-$scenario.pcap" "$log"
  [ "$DIG_STATUS" = "$want_status" ] || fail "$scenario: dig status $DIG_STATUS, expected $want_status (see $log)"
  [ "$HTTP_CODE" = "$want_http" ] || fail "$scenario: http code $HTTP_CODE, expected $want_http (see $log)"
  local text gre plain unreachable
  text=$(tcpdump -n -r "$OUT/gre-$scenario.pcap" "ip proto 47" 2>/dev/null)
  { echo "\$ tcpdump -n -r gre-$scenario.pcap"; tcpdump -n -r "$OUT/gre-$scenario.pcap" 2>&1; } >>"$log"
  gre=$(grep -cE "^[0-9:.]+ IP ($UNDER_C > $UNDER_S|$UNDER_S > $UNDER_C): GREv0, length [0-9]+: IP " <<<"$text" || true)
  [ "$gre" -gt 0 ] || fail "$scenario: the underlay capture holds no GRE packet (see $log)"
  [ "$gre" -eq "$(grep -c . <<<"$text")" ] || fail "$scenario: a packet of protocol 47 tcpdump does not read as GRE (see $log)"
  plain=$(tcpdump -n -r "$OUT/gre-plain-$scenario.pcap" 2>/dev/null | grep -c . || true)
  [ "$gre" -eq "$plain" ] || fail "$scenario: $gre packets in GRE on the underlay, $plain on tun0 (see $log)"
  unreachable=$(tcpdump -n -r "$OUT/gre-$scenario.pcap" 'icmp[0] == 3 and icmp[1] == 2' 2>/dev/null | grep -c . || true)
  [ "$unreachable" -eq 0 ] || fail "$scenario: the underlay carries ICMP protocol unreachable (see $log)"
  record "gre-$scenario" "$kind" u0 "$description (GRE on the underlay, $gre packets)"
  record "gre-plain-$scenario" "$kind" tun0 "$description (the TUN device, plain)"
  echo "make-gre-captures: $scenario: dig $DIG_RC/$DIG_STATUS, curl $CURL_RC/$HTTP_CODE, $gre GRE packets" >&2
}

ipt() { in_ns "$NS_S" iptables "$@"; }

start_dns
start_web

# --- scenarios: each breaks one thing and restores it -----------------------------------------------
run_gre healthy none 3 0.5 NOERROR 200 \
  "DNS answers www.example.test with an A record; HTTP GET answered 200"

stop_dns
run_gre dns-stopped dns-server-unreachable 3 1 no-reply - \
  "dnsmasq stopped: the server's kernel answers each UDP/53 query with ICMP port unreachable; no HTTP attempted"
start_dns

ipt -A INPUT -p udp --dport 53 -j DROP
run_gre dns-drop dns-no-response 3 1.5 no-reply - \
  "server firewall silently drops UDP/53: three queries one second apart, no answer"
ipt -D INPUT -p udp --dport 53 -j DROP

stop_web
run_gre web-down tcp-connection-refused 3 0.5 NOERROR 000 \
  "DNS answers; nginx stopped: the SYN to port 80 is answered by RST"
start_web

ipt -A INPUT -p tcp --dport 80 -j DROP
run_gre web-drop tcp-no-response 4 1 NOERROR 000 \
  "DNS answers; server firewall silently drops TCP/80: the SYN is retransmitted, never answered"
ipt -D INPUT -p tcp --dport 80 -j DROP

# The endpoints end on SIGTERM and say what they carried (kept in the logs).
stop_bg gre-client
stop_bg gre-server
mv "$WORK/manifest.tsv" "$OUT/manifest.tsv"
echo "make-gre-captures: wrote $(($(wc -l <"$OUT/manifest.tsv") - 1)) captures to $OUT in ${SECONDS}s" >&2

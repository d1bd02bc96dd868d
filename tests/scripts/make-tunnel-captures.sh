#!/usr/bin/env bash
# Records real captures of traffic carried in a VXLAN overlay, and of DNS answers that arrive in IP fragments,
# for tests/NetTriage.Analysis.Tests/RealCaptures/TunnelCaptureTests.cs.
#
# usage: make-tunnel-captures.sh OUTDIR
#
# Two private network namespaces (client, server) joined by two veth pairs:
#  - the underlay, u0 (client, 10.96.0.2) to u1 (server, 10.96.0.1), over which each side has a VXLAN device (VNI 42,
#    UDP port 4789, point to point) carrying the overlay addresses, client 10.96.1.2 on vx0 and server 10.96.1.1 on
#    vx1. The client asks the server's DNS service (dnsmasq) for www.example.test over the overlay, then fetches
#    http://www.example.test/ from its web service (nginx). Each scenario breaks one thing (or nothing) as
#    make-captures.sh does, and is captured twice at once at the client: on the underlay u0 into
#    OUTDIR/vxlan-<scenario>.pcap (every overlay frame inside UDP/4789 with its own Ethernet header) and on the overlay
#    vx0 into OUTDIR/overlay-<scenario>.pcap (the same traffic, plain);
#  - f0 (client, 10.96.2.2) to f1 (server, 10.96.2.1), IPv4 with an MTU of 576, and g0 (client, fd96:3::2) to g1
#    (server, fd96:3::1), IPv6 with an MTU of 1280. The same dnsmasq answers big.example.test with 60 A and 60 AAAA
#    records (no more than the 64 records a decoded DNS message keeps, so every address can be checked); the client
#    asks with EDNS (a 4096-byte buffer) over UDP only, so the answers (about 1 KB and 1.7 KB) leave the server in IP
#    fragments: OUTDIR/dns-frag-ipv4.pcap (an A query over IPv4, captured on f0) and OUTDIR/dns-frag-ipv6.pcap (an
#    AAAA query over IPv6, on g0), each checked with tcpdump to hold fragments.
# OUTDIR/manifest.tsv lists the captures, the finding each one should produce, what the client tools reported, the
# interface captured, and the number of answer records dig received.
#
# Tools: ip (iproute2, with the kernel's vxlan and veth devices), iptables, dnsmasq, nginx, dig, curl, ping, tcpdump,
# ss, timeout. It takes about 20 s (the bound is 150 s). Nothing outside the namespaces this script creates is
# touched: every address lives inside them.
# Exit status: 0 when every capture was made; 77 when this machine cannot run it (not root, no network namespaces, no
# vxlan device, a tool missing: the last line on standard error says why); anything else is a failure.
set -euo pipefail

# skip, fail and the other helpers the capture scripts share
# shellcheck source=lib/netns.sh
source "$(dirname "$0")/lib/netns.sh"
# The whole run is bounded: the script re-runs itself under timeout, and the EXIT trap still cleans up.
run_bounded NT_TUNNELS_BOUNDED 150 "$@"

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
require_root_and_tools "network namespaces, iptables and tcpdump need it" \
  ip iptables dnsmasq nginx dig curl ping tcpdump ss timeout
prepare_out "$1"

# Names carry this run's process id so parallel runs do not clash.
readonly SUFFIX=$$
readonly NS_C="nt-tun-client-$SUFFIX" NS_S="nt-tun-server-$SUFFIX"
readonly UNDER_C=10.96.0.2 UNDER_S=10.96.0.1 CLIENT_IP=10.96.1.2 SERVER_IP=10.96.1.1
readonly FRAG_C4=10.96.2.2 FRAG_S4=10.96.2.1 FRAG_MTU4=576 FRAG_C6=fd96:3::2 FRAG_S6=fd96:3::1 FRAG_MTU6=1280
readonly VNI=42 VXLAN_PORT=4789
readonly WEB_NAME=www.example.test BIG_NAME=big.example.test BIG_A=60 BIG_AAAA=60
readonly TMP_ROOT=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$TMP_ROOT/nt-tunnels-$SUFFIX.XXXXXX")
readonly WORK
# The daemons must outlive every scenario, within the script's own bound.
readonly BG_SECONDS=140
# Background processes this script started (the timeout wrappers' ids), killed by id on exit.
declare -A PIDS=()

# The services' own logs (dnsmasq logs every query) are kept beside the client's.
SERVICE_LOGS=(dns web)
trap 'end_run $? "$NS_C" "$NS_S"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

remove_stale_runs 'nt-tun-(client|server)' nt-tunnels-

in_ns() { local ns=$1; shift; timeout 10 ip netns exec "$ns" "$@"; }

# --- topology ---------------------------------------------------------------------------------------
err=$(timeout 10 ip netns add "$NS_C" 2>&1) || skip "cannot create a network namespace (ip netns add: $err)"
timeout 10 ip netns add "$NS_S"
for ns in "$NS_C" "$NS_S"; do
  # IPv6 only where asked (the IPv6 fragment link): no router solicitations or MLD reports on the other interfaces.
  in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  timeout 10 ip -n "$ns" link set lo up
done
err=$(in_ns "$NS_S" iptables -L INPUT -n 2>&1) || skip "iptables does not work in a network namespace: $err"

# The underlay, and the overlay over it. The VXLAN devices take their MTU from the underlay less the 50 bytes of
# encapsulation (1450).
timeout 10 ip -n "$NS_C" link add u0 type veth peer name u1 netns "$NS_S"
timeout 10 ip -n "$NS_C" addr add "$UNDER_C/24" dev u0
timeout 10 ip -n "$NS_S" addr add "$UNDER_S/24" dev u1
timeout 10 ip -n "$NS_C" link set u0 up
timeout 10 ip -n "$NS_S" link set u1 up
err=$(timeout 10 ip -n "$NS_C" link add vx0 type vxlan id "$VNI" dstport "$VXLAN_PORT" local "$UNDER_C" \
  remote "$UNDER_S" dev u0 2>&1) || skip "cannot create a vxlan device (ip link add type vxlan: $err)"
timeout 10 ip -n "$NS_S" link add vx1 type vxlan id "$VNI" dstport "$VXLAN_PORT" local "$UNDER_S" \
  remote "$UNDER_C" dev u1
timeout 10 ip -n "$NS_C" addr add "$CLIENT_IP/24" dev vx0
timeout 10 ip -n "$NS_S" addr add "$SERVER_IP/24" dev vx1
timeout 10 ip -n "$NS_C" link set vx0 up
timeout 10 ip -n "$NS_S" link set vx1 up

# The fragment links: IPv4 with a small MTU; IPv6 with its minimum MTU (addresses usable at once: no duplicate
# address detection).
timeout 10 ip -n "$NS_C" link add f0 mtu "$FRAG_MTU4" type veth peer name f1 netns "$NS_S" mtu "$FRAG_MTU4"
timeout 10 ip -n "$NS_C" addr add "$FRAG_C4/24" dev f0
timeout 10 ip -n "$NS_S" addr add "$FRAG_S4/24" dev f1
timeout 10 ip -n "$NS_C" link set f0 up
timeout 10 ip -n "$NS_S" link set f1 up
timeout 10 ip -n "$NS_C" link add g0 mtu "$FRAG_MTU6" type veth peer name g1 netns "$NS_S" mtu "$FRAG_MTU6"
in_ns "$NS_C" sysctl -qw net.ipv6.conf.g0.disable_ipv6=0 net.ipv6.conf.g0.router_solicitations=0
in_ns "$NS_S" sysctl -qw net.ipv6.conf.g1.disable_ipv6=0 net.ipv6.conf.g1.router_solicitations=0
timeout 10 ip -n "$NS_C" addr add "$FRAG_C6/64" dev g0 nodad
timeout 10 ip -n "$NS_S" addr add "$FRAG_S6/64" dev g1 nodad
timeout 10 ip -n "$NS_C" link set g0 up
timeout 10 ip -n "$NS_S" link set g1 up

in_ns "$NS_C" ping -c 1 -W 2 "$SERVER_IP" >/dev/null 2>&1 || fail "the client cannot reach the server over the overlay"
in_ns "$NS_C" ping -c 1 -W 2 "$FRAG_S4" >/dev/null 2>&1 || fail "the client cannot reach $FRAG_S4 on the fragment link"
in_ns "$NS_C" ping -c 1 -W 2 "$FRAG_S6" >/dev/null 2>&1 || fail "the client cannot reach $FRAG_S6 on the fragment link"

# --- services on the server -------------------------------------------------------------------------
# www.example.test on the overlay; big.example.test with many records, for answers larger than the fragment links'
# MTU; NXDOMAIN for other names in example.test. dnsmasq answers up to 1232 bytes over UDP unless told more.
{
  for i in $(seq "$BIG_A"); do echo "host-record=$BIG_NAME,10.96.$((100 + (i - 1) / 250)).$(((i - 1) % 250 + 1))"; done
  for i in $(seq "$BIG_AAAA"); do printf 'host-record=%s,fd96:100::%x\n' "$BIG_NAME" "$i"; done
} >"$WORK/dnsmasq-big.conf"
start_dns() {
  start_bg dns "$NS_S" dnsmasq --keep-in-foreground --no-resolv --no-hosts --user=root --bind-interfaces --port=53 \
    --listen-address="$SERVER_IP" --listen-address="$FRAG_S4" --listen-address="$FRAG_S6" \
    --log-facility=- --log-queries --pid-file="$WORK/dnsmasq.pid" --edns-packet-max=4096 \
    --address=/"$WEB_NAME"/"$SERVER_IP" --local=/example.test/ --conf-file="$WORK/dnsmasq-big.conf"
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

# One overlay scenario, captured on the underlay and on the overlay at once: resolve, fetch, record both. Checks
# that the client saw what the scenario is meant to produce, so a broken setup fails here instead of yielding a
# wrong capture.
run_overlay() {
  local scenario=$1 kind=$2 fetch_time=$3 linger=$4 want_status=$5 want_http=$6 description=$7 log
  log="$OUT/logs/$scenario.txt"
  : >"$log"
  capture_on underlay "$NS_C" u0 "vxlan-$scenario.pcap" 60 --immediate-mode
  capture_on overlay "$NS_C" vx0 "overlay-$scenario.pcap" 60 --immediate-mode
  resolve "$log" "$SERVER_IP" "$WEB_NAME" A
  fetch "$log" "$fetch_time"
  # Late replies (the last ICMP error, a retransmitted SYN) land before the capture stops.
  sleep "$linger"
  capture_off underlay "vxlan-$scenario.pcap" "$log"
  capture_off overlay "overlay-$scenario.pcap" "$log"
  [ "$DIG_STATUS" = "$want_status" ] || fail "$scenario: dig status $DIG_STATUS, expected $want_status (see $log)"
  [ "$HTTP_CODE" = "$want_http" ] || fail "$scenario: http code $HTTP_CODE, expected $want_http (see $log)"
  local frames
  frames=$(tcpdump -n -r "$OUT/vxlan-$scenario.pcap" "udp dst port $VXLAN_PORT" 2>/dev/null | grep -c VXLAN || true)
  [ "$frames" -gt 0 ] || fail "$scenario: the underlay capture holds no VXLAN frame"
  record "vxlan-$scenario" "$kind" u0 "$description (VXLAN VNI $VNI on the underlay, $frames frames)"
  record "overlay-$scenario" "$kind" vx0 "$description (the overlay interface, plain)"
  echo "make-tunnel-captures: $scenario: dig $DIG_RC/$DIG_STATUS, curl $CURL_RC/$HTTP_CODE, $frames VXLAN frames" >&2
}

# One large answer on a fragment link: the query goes to SERVER over UDP with a 4096-byte EDNS buffer; the capture
# must hold the answer's fragments (FILTER, a tcpdump filter for them), and dig must have read every record.
run_fragmented() {
  local name=$1 iface=$2 server=$3 type=$4 records=$5 filter=$6 description=$7 log fragments
  log="$OUT/logs/$name.txt"
  : >"$log"
  capture_on frag "$NS_C" "$iface" "$name.pcap" 60 --immediate-mode
  resolve "$log" "$server" "$BIG_NAME" "$type" +bufsize=4096 +notcp +ignore
  CURL_RC=- HTTP_CODE=-
  sleep 0.5
  capture_off frag "$name.pcap" "$log"
  [ "$DIG_STATUS" = NOERROR ] || fail "$name: dig status $DIG_STATUS, expected NOERROR (see $log)"
  [ "$DIG_ANSWERS" = "$records" ] || fail "$name: dig read $DIG_ANSWERS answer records, expected $records (see $log)"
  tcpdump -n -v -r "$OUT/$name.pcap" >>"$log" 2>&1 || true
  fragments=$(tcpdump -n -r "$OUT/$name.pcap" "$filter" 2>/dev/null | wc -l)
  [ "$fragments" -ge 2 ] || fail "$name: the capture holds $fragments fragments, expected the answer in 2 or more"
  record "$name" none "$iface" "$description ($fragments fragments)"
  echo "make-tunnel-captures: $name: dig $DIG_RC/$DIG_STATUS, $DIG_ANSWERS answers in $fragments fragments" >&2
}

ipt() { in_ns "$NS_S" iptables "$@"; }

start_dns
start_web

# --- scenarios: each breaks one thing and restores it -----------------------------------------------
run_overlay healthy none 3 0.5 NOERROR 200 \
  "DNS answers www.example.test with an A record; HTTP GET answered 200"

stop_dns
run_overlay dns-stopped dns-server-unreachable 3 1 no-reply - \
  "dnsmasq stopped: the server's kernel answers each UDP/53 query with ICMP port unreachable; no HTTP attempted"
start_dns

ipt -A INPUT -p udp --dport 53 -j DROP
run_overlay dns-drop dns-no-response 3 1.5 no-reply - \
  "server firewall silently drops UDP/53: three queries one second apart, no answer"
ipt -D INPUT -p udp --dport 53 -j DROP

stop_web
run_overlay web-down tcp-connection-refused 3 0.5 NOERROR 000 \
  "DNS answers; nginx stopped: the SYN to port 80 is answered by RST"
start_web

ipt -A INPUT -p tcp --dport 80 -j DROP
run_overlay web-drop tcp-no-response 4 1 NOERROR 000 \
  "DNS answers; server firewall silently drops TCP/80: the SYN is retransmitted, never answered"
ipt -D INPUT -p tcp --dport 80 -j DROP

# IPv4 fragments: the fragment offset or the more-fragments flag set. IPv6: a fragment header next.
run_fragmented dns-frag-ipv4 f0 "$FRAG_S4" A "$BIG_A" 'ip[6:2] & 0x3fff != 0' \
  "$BIG_NAME A over IPv4 with EDNS: $BIG_A A records in an answer larger than the link's MTU of $FRAG_MTU4"
run_fragmented dns-frag-ipv6 g0 "$FRAG_S6" AAAA "$BIG_AAAA" 'ip6[6] == 44' \
  "$BIG_NAME AAAA over IPv6 with EDNS: $BIG_AAAA AAAA records in an answer larger than the link's MTU of $FRAG_MTU6"

mv "$WORK/manifest.tsv" "$OUT/manifest.tsv"
echo "make-tunnel-captures: wrote $(($(wc -l <"$OUT/manifest.tsv") - 1)) captures to $OUT in ${SECONDS}s" >&2

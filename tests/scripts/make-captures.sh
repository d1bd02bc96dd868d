#!/usr/bin/env bash
# Records real failure captures for the diagnosis tests.
#
# usage: make-captures.sh OUTDIR
#
# Three private network namespaces (client, router, server; joined by veth pairs, IPv4 only) play a
# small network: the client asks the server's DNS service (dnsmasq) for www.example.test, then fetches
# http://www.example.test/ from the server's web service (nginx). Each scenario breaks one thing,
# captures the client's interface with tcpdump into OUTDIR/<scenario>.pcap, and restores it.
# OUTDIR/manifest.tsv lists the scenarios, the finding each one should produce, and what the client
# tools reported.
#
# Nothing outside the namespaces this script creates is touched: every address lives inside them.
# Exit status: 0 when every capture was made; 77 when this machine cannot run it (not root, no network
# namespaces, a tool missing: the last line on standard error says why); anything else is a failure.
set -euo pipefail

# skip, fail and the other helpers the capture scripts share
# shellcheck source=lib/netns.sh
source "$(dirname "$0")/lib/netns.sh"
# The whole run is bounded: the script re-runs itself under timeout, and the EXIT trap still cleans up.
run_bounded NT_CAPTURES_BOUNDED 170 "$@"

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }

require_root_and_tools "network namespaces, iptables and tcpdump need it" \
  ip iptables dnsmasq nginx dig curl ping tcpdump ss timeout
prepare_out "$1"

# Names carry this run's process id so parallel runs do not clash.
readonly SUFFIX=$$
readonly NS_C="nt-client-$SUFFIX" NS_R="nt-router-$SUFFIX" NS_S="nt-server-$SUFFIX"
readonly CLIENT_IP=10.99.1.2 ROUTER_C_IP=10.99.1.1 ROUTER_S_IP=10.99.2.1 SERVER_IP=10.99.2.2
readonly WEB_NAME=www.example.test
# The root zone's KSK-2017 DS record: a validating resolver that cannot fetch the chain of trust fails.
readonly ROOT_TRUST_ANCHOR=.,20326,8,2,E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
readonly TMP_ROOT=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$TMP_ROOT/nt-captures-$SUFFIX.XXXXXX")
readonly WORK

# Background processes this script started (the timeout wrappers' ids), killed by id on exit.
declare -A PIDS=()

# The services' own logs (dnsmasq logs every query) are kept beside the client's.
SERVICE_LOGS=(dns dns-upstream web)
trap 'end_run $? "$NS_C" "$NS_R" "$NS_S"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

remove_stale_runs 'nt-(client|router|server)' nt-captures-

in_ns() { local ns=$1; shift; timeout 10 ip netns exec "$ns" "$@"; }

# --- topology ---------------------------------------------------------------------------------------
err=$(timeout 10 ip netns add "$NS_C" 2>&1) || skip "cannot create a network namespace (ip netns add: $err)"
timeout 10 ip netns add "$NS_R"
timeout 10 ip netns add "$NS_S"
for ns in "$NS_C" "$NS_R" "$NS_S"; do
  # IPv4 only: no router solicitations or MLD reports in the captures.
  in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  timeout 10 ip -n "$ns" link set lo up
done
err=$(in_ns "$NS_R" iptables -L FORWARD -n 2>&1) || skip "iptables does not work in a network namespace: $err"

# Interface names are per namespace: each end is created directly inside its namespace.
timeout 10 ip -n "$NS_C" link add c0 type veth peer name r0 netns "$NS_R"
timeout 10 ip -n "$NS_R" link add r1 type veth peer name s0 netns "$NS_S"
timeout 10 ip -n "$NS_C" addr add "$CLIENT_IP/24" dev c0
timeout 10 ip -n "$NS_R" addr add "$ROUTER_C_IP/24" dev r0
timeout 10 ip -n "$NS_R" addr add "$ROUTER_S_IP/24" dev r1
timeout 10 ip -n "$NS_S" addr add "$SERVER_IP/24" dev s0
timeout 10 ip -n "$NS_C" link set c0 up
timeout 10 ip -n "$NS_R" link set r0 up
timeout 10 ip -n "$NS_R" link set r1 up
timeout 10 ip -n "$NS_S" link set s0 up
in_ns "$NS_R" sysctl -qw net.ipv4.ip_forward=1
timeout 10 ip -n "$NS_C" route add default via "$ROUTER_C_IP"
timeout 10 ip -n "$NS_S" route add default via "$ROUTER_S_IP"
in_ns "$NS_C" ping -c 1 -W 2 "$SERVER_IP" >/dev/null 2>&1 || fail "the client cannot reach the server after setup"

# --- services on the server -------------------------------------------------------------------------
# Answers www.example.test, NXDOMAIN for other names in example.test, REFUSED for names elsewhere
# (no upstream servers).
DNS_BASE=(dnsmasq --keep-in-foreground --no-resolv --no-hosts --user=root --bind-interfaces --port=53
  --listen-address="$SERVER_IP" --log-facility=- --log-queries
  --address=/"$WEB_NAME"/"$SERVER_IP" --local=/example.test/)

start_dns() {
  start_bg dns "$NS_S" "${DNS_BASE[@]}" --pid-file="$WORK/dnsmasq.pid"
  wait_port "$NS_S" open udp 53
}

# As start_dns, and names outside example.test go to an upstream on the server's loopback, while the
# front end validates DNSSEC from the root trust anchor: the upstream cannot supply the chain of
# trust, so validation fails and the client gets SERVFAIL.
start_dns_validating() {
  start_bg dns-upstream "$NS_S" dnsmasq --keep-in-foreground --no-resolv --no-hosts --user=root \
    --bind-interfaces --listen-address=127.0.0.1 --port=5300 --pid-file="$WORK/dnsmasq-upstream.pid" \
    --log-facility=- --log-queries --address=/www.broken.test/"$SERVER_IP"
  start_bg dns "$NS_S" "${DNS_BASE[@]}" --pid-file="$WORK/dnsmasq.pid" \
    --dnssec --trust-anchor="$ROOT_TRUST_ANCHOR" --server=127.0.0.1#5300
  wait_port "$NS_S" open udp 5300
  wait_port "$NS_S" open udp 53
}

stop_dns() {
  stop_bg dns
  stop_bg dns-upstream
  wait_port "$NS_S" closed udp 53
}

write_nginx_conf 64 "listen $SERVER_IP:80;" "server_name $WEB_NAME;"

start_web() {
  start_bg web "$NS_S" nginx -p "$WORK" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf"
  wait_port "$NS_S" open tcp 80
}

stop_web() {
  # nginx stops at once on TERM (QUIT would wait for connections).
  stop_bg web
  wait_port "$NS_S" closed tcp 80
}

# --- capture and client -----------------------------------------------------------------------------
printf 'scenario\tpcap\texpected_kind\tdescription\tdig_exit\tdig_status\tcurl_exit\thttp_code\n' >"$WORK/manifest.tsv"

# One scenario: capture, resolve (and fetch when asked), record. Checks that the client saw what
# the scenario is meant to produce, so a broken setup fails here instead of yielding a wrong capture.
run_scenario() {
  local scenario=$1 kind=$2 name=$3 fetch_time=$4 linger=$5 want_status=$6 want_http=$7 description=$8
  : >"$OUT/logs/$scenario.txt"
  capture_on tcpdump "$NS_C" c0 "$scenario.pcap" 60
  resolve "$OUT/logs/$scenario.txt" "$SERVER_IP" "$name" A
  if [ "$fetch_time" != - ]; then fetch "$OUT/logs/$scenario.txt" "$fetch_time"; else CURL_RC=- HTTP_CODE=-; fi
  # Late replies (ICMP errors after an ARP failure come ~3 s after the query) land before the capture stops.
  sleep "$linger"
  capture_off tcpdump "$scenario.pcap" "$OUT/logs/$scenario.txt"
  [ "$DIG_STATUS" = "$want_status" ] || fail "$scenario: dig status $DIG_STATUS, expected $want_status (see $OUT/logs/$scenario.txt)"
  [ "$HTTP_CODE" = "$want_http" ] || fail "$scenario: http code $HTTP_CODE, expected $want_http (see $OUT/logs/$scenario.txt)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$scenario.pcap" "$kind" "$description" \
    "$DIG_RC" "$DIG_STATUS" "$CURL_RC" "$HTTP_CODE" >>"$WORK/manifest.tsv"
  echo "make-captures: $scenario: dig $DIG_RC/$DIG_STATUS, curl $CURL_RC/$HTTP_CODE" >&2
}

ipt() { in_ns "$1" iptables "${@:2}"; }

start_dns
start_web

# --- scenarios: each breaks one thing and restores it -----------------------------------------------
run_scenario healthy none "$WEB_NAME" 3 1 NOERROR 200 \
  "DNS answers www.example.test with an A record; HTTP GET answered 200"

stop_dns
run_scenario dns-stopped dns-server-unreachable "$WEB_NAME" 3 1 no-reply - \
  "dnsmasq stopped: the server's kernel answers each UDP/53 query with ICMP port unreachable; no HTTP attempted"
start_dns

ipt "$NS_S" -A INPUT -p udp --dport 53 -j REJECT --reject-with icmp-admin-prohibited
run_scenario dns-reject-admin dns-blocked "$WEB_NAME" 3 1 no-reply - \
  "server firewall rejects UDP/53 with ICMP communication administratively prohibited from 10.99.2.2"
ipt "$NS_S" -D INPUT -p udp --dport 53 -j REJECT --reject-with icmp-admin-prohibited

ipt "$NS_R" -A FORWARD -p udp --dport 53 -j REJECT --reject-with icmp-admin-prohibited
run_scenario dns-reject-router-admin dns-blocked "$WEB_NAME" 3 1 no-reply - \
  "router firewall rejects forwarded UDP/53 with ICMP communication administratively prohibited from the router 10.99.1.1"
ipt "$NS_R" -D FORWARD -p udp --dport 53 -j REJECT --reject-with icmp-admin-prohibited

ipt "$NS_S" -A INPUT -p udp --dport 53 -j DROP
run_scenario dns-drop dns-no-response "$WEB_NAME" 3 1.5 no-reply - \
  "server firewall silently drops UDP/53: three queries one second apart, no answer"
ipt "$NS_S" -D INPUT -p udp --dport 53 -j DROP

run_scenario dns-nxdomain dns-nxdomain nosuch.example.test 3 1 NXDOMAIN - \
  "the server answers NXDOMAIN for nosuch.example.test, a name that does not exist in its zone"

stop_dns
start_dns_validating
run_scenario dns-servfail dns-servfail www.broken.test 3 1 SERVFAIL - \
  "the validating resolver cannot build the DNSSEC chain of trust for www.broken.test and answers SERVFAIL"
stop_dns
start_dns

run_scenario dns-refused dns-refused www.elsewhere.test 3 1 REFUSED - \
  "the server answers REFUSED for www.elsewhere.test: a name outside its zones, and it does not recurse"

stop_web
run_scenario web-down tcp-connection-refused "$WEB_NAME" 3 1 NOERROR 000 \
  "DNS answers; nginx stopped: the SYN to port 80 is answered by RST"
start_web

ipt "$NS_S" -A INPUT -p tcp --dport 80 -j DROP
run_scenario web-drop tcp-no-response "$WEB_NAME" 4 1 NOERROR 000 \
  "DNS answers; server firewall silently drops TCP/80: the SYN is retransmitted, never answered"
ipt "$NS_S" -D INPUT -p tcp --dport 80 -j DROP

# With no route to 10.99.2.0/24 (the router has no default route), it answers ICMP net unreachable.
timeout 10 ip -n "$NS_R" route del 10.99.2.0/24 dev r1
run_scenario no-route network-unreachable "$WEB_NAME" 3 1 no-reply - \
  "the router has no route to 10.99.2.0/24 and answers each query with ICMP net unreachable from 10.99.1.1"
timeout 10 ip -n "$NS_R" route add 10.99.2.0/24 dev r1 proto kernel scope link src "$ROUTER_S_IP"

# The server's interface goes down: the router's ARP for 10.99.2.2 fails after three probes one second
# apart, and it answers the queued queries with ICMP host unreachable.
timeout 10 ip -n "$NS_S" link set s0 down
timeout 10 ip -n "$NS_R" neigh flush dev r1
run_scenario host-down host-unreachable "$WEB_NAME" 3 2.5 no-reply - \
  "the server is down: the router's ARP for 10.99.2.2 fails and it answers with ICMP host unreachable from 10.99.1.1"
timeout 10 ip -n "$NS_S" link set s0 up
timeout 10 ip -n "$NS_S" route replace default via "$ROUTER_S_IP"
in_ns "$NS_C" ping -c 1 -W 2 "$SERVER_IP" >/dev/null 2>&1 || fail "the server did not come back after host-down"

# The client sends with TTL 1: the router cannot forward the query and answers ICMP time exceeded.
in_ns "$NS_C" sysctl -qw net.ipv4.ip_default_ttl=1
run_scenario ttl-exceeded ttl-exceeded "$WEB_NAME" 3 1 no-reply - \
  "the client sends its DNS queries with TTL 1: the router answers ICMP time exceeded in transit from 10.99.1.1"
in_ns "$NS_C" sysctl -qw net.ipv4.ip_default_ttl=64

mv "$WORK/manifest.tsv" "$OUT/manifest.tsv"
echo "make-captures: wrote $(($(wc -l <"$OUT/manifest.tsv") - 1)) captures to $OUT in ${SECONDS}s" >&2

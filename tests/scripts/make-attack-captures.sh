#!/usr/bin/env bash
# Records real attack and busy-but-healthy captures for the detection tests.
#
# usage: make-attack-captures.sh OUTDIR
#
# Two private network namespaces joined by a veth pair (IPv4 only): an attacker (10.98.0.66) and a victim
# (10.98.0.10, with 60 more addresses 10.98.1.1-60 for the address scan) that runs a web server (nginx on
# port 80 and 8080) and a DNS server (dnsmasq). Each scenario runs one real tool, bounded in packets and
# time, while tcpdump captures the victim's interface into OUTDIR/<scenario>.pcap. OUTDIR/manifest.tsv lists
# the scenarios and the finding kind each should produce ("none" for the healthy one). hping3 exits 1 when
# some probes got no answer (a flood's do not): its status is not a failure here, the capture is checked.
#
# Nothing outside the namespaces this script creates is touched: every address lives inside them, and the
# flood's forged sources are routed only to the attacker's namespace.
# Exit status: 0 when every capture was made; 77 when this machine cannot run it (not root, no network
# namespaces, a tool missing: the last line on standard error says why); anything else is a failure.
set -euo pipefail

# skip, fail and the other helpers the capture scripts share
# shellcheck source=lib/netns.sh
source "$(dirname "$0")/lib/netns.sh"
run_bounded NT_ATTACKS_BOUNDED 170 "$@"

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
require_root_and_tools "network namespaces and tcpdump need it" \
  ip nmap hping3 nginx dnsmasq dig curl ping tcpdump ss timeout
prepare_out "$1"

readonly SUFFIX=$$
readonly NS_A="nt-attacker-$SUFFIX" NS_V="nt-victim-$SUFFIX"
readonly ATTACKER_IP=10.98.0.66 VICTIM_IP=10.98.0.10
readonly TMP_ROOT=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$TMP_ROOT/nt-attacks-$SUFFIX.XXXXXX")
readonly WORK
declare -A PIDS=()

trap 'end_run $? "$NS_A" "$NS_V"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

remove_stale_runs 'nt-(attacker|victim)' nt-attacks-

in_ns() { local ns=$1; shift; timeout 60 ip netns exec "$ns" "$@"; }

# --- topology ---------------------------------------------------------------------------------------
err=$(timeout 10 ip netns add "$NS_A" 2>&1) || skip "cannot create a network namespace (ip netns add: $err)"
timeout 10 ip netns add "$NS_V"
for ns in "$NS_A" "$NS_V"; do
  in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  timeout 10 ip -n "$ns" link set lo up
done
timeout 10 ip -n "$NS_A" link add a0 type veth peer name v0 netns "$NS_V"
timeout 10 ip -n "$NS_A" addr add "$ATTACKER_IP/16" dev a0
timeout 10 ip -n "$NS_V" addr add "$VICTIM_IP/16" dev v0
for i in $(seq 1 60); do timeout 10 ip -n "$NS_V" addr add "10.98.1.$i/16" dev v0; done
timeout 10 ip -n "$NS_A" link set a0 up
timeout 10 ip -n "$NS_V" link set v0 up
# The victim answers forged sources through the attacker's namespace, where they end (no forwarding there).
timeout 10 ip -n "$NS_V" route add default via "$ATTACKER_IP"
# Closed UDP ports answer every probe (the kernel's ICMP rate limit would otherwise make a UDP scan slow).
in_ns "$NS_V" sysctl -qw net.ipv4.icmp_ratelimit=0
in_ns "$NS_A" ping -c 1 -W 2 "$VICTIM_IP" >/dev/null 2>&1 || fail "the attacker cannot reach the victim after setup"

# --- services on the victim -------------------------------------------------------------------------
write_nginx_conf 512 "listen 80;" "listen 8080;"
start_bg web "$NS_V" nginx -p "$WORK" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf"
start_bg dns "$NS_V" dnsmasq --keep-in-foreground --no-resolv --no-hosts --user=root --bind-interfaces \
  --listen-address="$VICTIM_IP" --port=53 --pid-file="$WORK/dnsmasq.pid" --address=/www.example.test/"$VICTIM_IP"
wait_port "$NS_V" open tcp 80
wait_port "$NS_V" open tcp 8080
wait_port "$NS_V" open udp 53

# --- capture ----------------------------------------------------------------------------------------
printf 'scenario\tpcap\texpected_kind\tdescription\n' >"$WORK/manifest.tsv"

# One scenario: capture at the victim while the tool runs in the attacker's namespace.
run() {
  local scenario=$1 kind=$2 description=$3; shift 3
  : >"$OUT/logs/$scenario.txt"
  # The limit only guards against a hung tool: the healthy scenario's 450 commands each enter the namespace, and on a
  # loaded machine they took over 90 s, the limit there was, so its capture ended early and missed connections.
  capture_on tcpdump "$NS_V" v0 "$scenario.pcap" 300
  echo "\$ $*" >>"$OUT/logs/$scenario.txt"
  local status=0
  "$@" >>"$OUT/logs/$scenario.txt" 2>&1 || status=$?
  # nmap and the healthy client must succeed; hping3 reports 1 when answers were missing, which a flood expects.
  if [ "$status" -ne 0 ] && ! { [ "$1 $3" = "in_ns hping3" ] && [ "$status" -eq 1 ]; }; then
    fail "$scenario: the tool failed with status $status (see $OUT/logs/$scenario.txt)"
  fi
  kill -0 "${PIDS[tcpdump]}" 2>/dev/null || fail "$scenario: the capture stopped before the tool finished (over 300 s)"
  sleep 1
  capture_off tcpdump "$scenario.pcap" "$OUT/logs/$scenario.txt"
  printf '%s\t%s\t%s\t%s\n' "$scenario" "$scenario.pcap" "$kind" "$description" >>"$WORK/manifest.tsv"
  echo "make-attack-captures: $scenario: $(stat -c %s "$OUT/$scenario.pcap") bytes" >&2
}

# The healthy busy capture: web fetches, name lookups and pings at ordinary rates from one client.
healthy() {
  local i
  for i in $(seq 1 150); do
    in_ns "$NS_A" curl -s -o /dev/null --max-time 2 "http://$VICTIM_IP/" || return 1
    in_ns "$NS_A" curl -s -o /dev/null --max-time 2 "http://$VICTIM_IP:8080/page$i" || return 1
    in_ns "$NS_A" dig +short +tries=1 +timeout=1 @"$VICTIM_IP" www.example.test >/dev/null || return 1
  done
  in_ns "$NS_A" ping -c 20 -i 0.05 -q "$VICTIM_IP" >/dev/null
}

run healthy-busy none "300 HTTP fetches, 150 DNS lookups and 20 pings from one client" healthy
run nmap-syn port-scan "nmap -sS of ports 1-1000 (80 and 8080 open)" \
  in_ns "$NS_A" nmap -n -Pn -sS -p 1-1000,8080 -T4 --max-retries 1 "$VICTIM_IP"
run nmap-connect port-scan "nmap -sT of ports 1-300" \
  in_ns "$NS_A" nmap -n -Pn -sT -p 1-300 -T4 --max-retries 1 "$VICTIM_IP"
run nmap-xmas port-scan "nmap -sX (FIN, PSH, URG) of ports 1-300" \
  in_ns "$NS_A" nmap -n -Pn -sX -p 1-300 -T4 --max-retries 1 "$VICTIM_IP"
run nmap-udp port-scan "nmap -sU of ports 1-100 (53 open)" \
  in_ns "$NS_A" nmap -n -Pn -sU -p 1-100 -T4 --max-retries 1 "$VICTIM_IP"
run nmap-sweep address-scan "nmap -sS of port 22 on 60 addresses (all closed)" \
  in_ns "$NS_A" nmap -n -Pn -sS -p 22 -T4 --max-retries 1 10.98.1.1-60
run hping3-flood syn-flood "hping3 -S --rand-source: 6000 SYNs to port 80 at 5000 a second" \
  in_ns "$NS_A" hping3 -q -S -p 80 -i u200 -c 6000 --rand-source "$VICTIM_IP"
run hping3-udp-flood udp-flood "hping3 --udp --rand-source: 6000 datagrams to the DNS port at 5000 a second" \
  in_ns "$NS_A" hping3 -q --udp -p 53 -i u200 -c 6000 --rand-source "$VICTIM_IP"
run hping3-icmp-flood icmp-flood "hping3 --icmp: 4000 echo requests at 2000 a second from one source" \
  in_ns "$NS_A" hping3 -q --icmp -i u500 -c 4000 "$VICTIM_IP"

mv "$WORK/manifest.tsv" "$OUT/manifest.tsv"

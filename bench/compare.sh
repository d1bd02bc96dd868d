#!/usr/bin/env bash
# Times `nettriage analyze` against `tcpdump -n -r` and `tshark -n -r` on the same capture, in one run.
#
#   bench/compare.sh 1G                       one size, every profile
#   bench/compare.sh 200M 1G 2G               several sizes, one table
#   PROFILES=bulk bench/compare.sh 200M       one profile
#   PROFILES=real bench/compare.sh 100M       real public traffic only
#
# For each size and each traffic profile: makes a capture once, reads it before every run so every tool reads from
# the page cache, then runs the three tools in turn, RUNS rounds (the order rotates each round so none always runs
# first). Reports the median wall time of each tool, the ratios to nettriage, and each tool's peak resident
# memory (the largest of its runs, from /usr/bin/time -v), one row per profile and size. Output goes to /dev/null
# for all three.
#
# The profiles:
#   browsing  `nettriage generate mixed --profile browsing --seed 7`: a site's gateway, thousands of clients, short
#             HTTP and HTTPS sessions, every kind of failure; about 560 bytes a packet
#   bulk      `nettriage generate mixed --profile bulk --seed 7`: a busy link of large downloads; about 980
#   real      real public traffic: the test traces of tcpdump and of Zeek (SHARED/corpus/tcpdump and
#             SHARED/corpus/zeek, SHARED being ../shared beside the repository unless SHARED=DIR says otherwise),
#             concatenated into one pcap of the size asked for. Skipped, with a word, when they are absent.
#
# How the real capture is made (deterministic: the same corpus gives the same file, byte for byte): of the corpus's
# pcap and pcapng files (not the gzip-compressed ones, which tcpdump cannot read), in byte order of their paths, those
# whose link type is Ethernet (DLT 1: libpcap cannot read a pcapng whose interfaces have different link types, and a
# pcap has one), that have packets, that capinfos (tshark's library) and tcpdump -n -r each read to the end without
# an error, and whose names do not say they are broken on purpose (fuzzers' finds such as -oobr, _asan, heapoverflow,
# crash, CVE; truncated, invalid, malformed, bad-checksum traces; tcpdump's tests of 32-bit time limits; see
# real_broken below). They form the set, concatenated once with `mergecap -a -F pcap` (microsecond timestamps), which
# tshark -n -r must read whole; with KEEP=1, real-traces.txt beside the captures lists them. The capture is the set
# repeated whole as often as it fits, then the set's first traces until the size is reached (it ends within one trace
# of it). Packets are the traces' own, unchanged.
#
# Time in the real capture: every trace keeps its own timestamps, from 1970 (traces written with zero times) to 2033,
# and a score of them were themselves pieced together from captures days to decades apart. So the capture's clock
# jumps backwards and forwards, by up to decades, between traces and within some, and each repetition of the set
# replays the same hosts, ports and times. tcpdump and tshark only print the times. nettriage runs its timeouts on the
# packets' clock: the report's time span and the durations and rates of activities seen on both sides of a jump mean
# little here; a jump forwards times out at once what is open, and a jump backwards of more than 30 s starts a new
# segment of capture, which ends what is open as the end of input does (docs/robustness.md). It measures speed and
# memory on real packets; it is not a realistic diagnosis.
#
# Environment:
#   RUNS=5           rounds per size and profile
#   PROFILES="browsing bulk real"  the profiles (above), in this order for each size
#   SHARED=DIR       where the real profile's corpus is (DIR/corpus/tcpdump, DIR/corpus/zeek; default ../shared)
#   BENCH_DIR=DIR    where captures are written (default: a temporary directory); needs about SIZE free
#   KEEP=1           keep the captures (and reuse one already there) instead of deleting them
#   PUBLISH_ARGS=... extra arguments for `dotnet publish` of nettriage
#
# Needs: dotnet (SDK 10), tcpdump, tshark, GNU time, and clang with zlib1g-dev for the native build; the real profile
# also mergecap and capinfos (wireshark-common, which tshark brings). On Debian/Ubuntu:
#   sudo apt-get install tcpdump tshark time clang zlib1g-dev
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 SIZE [SIZE...]   (sizes like 200M, 1G, 2G; PROFILES=\"browsing bulk real\" by default)" >&2
    exit 2
fi

RUNS=${RUNS:-5}
PROFILES=${PROFILES:-browsing bulk real}
repo=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$repo/../shared}

read -r -a profiles <<<"$PROFILES"
if [[ ${#profiles[@]} -eq 0 ]]; then
    echo "compare.sh: PROFILES is empty (browsing, bulk, real)" >&2
    exit 2
fi
kept=()
for profile in "${profiles[@]}"; do
    case $profile in
        browsing | bulk) kept+=("$profile") ;;
        real)
            if [[ -d "$shared/corpus/tcpdump" && -d "$shared/corpus/zeek" ]]; then
                shared=$(cd "$shared" && pwd)
                kept+=("$profile")
            else
                echo "compare.sh: skipping the real profile: no corpus of real traffic at $shared/corpus (tcpdump/, zeek/; SHARED=DIR to point elsewhere)" >&2
            fi
            ;;
        *) echo "compare.sh: unknown profile '$profile' in PROFILES (browsing, bulk, real)" >&2; exit 2 ;;
    esac
done
if [[ ${#kept[@]} -eq 0 ]]; then
    echo "compare.sh: no profile left to measure" >&2
    exit 2
fi
profiles=("${kept[@]}")

missing=()
command -v dotnet >/dev/null || missing+=("dotnet (the .NET 10 SDK)")
command -v tcpdump >/dev/null || missing+=("tcpdump (apt-get install tcpdump)")
command -v tshark >/dev/null || missing+=("tshark (apt-get install tshark)")
[[ -x /usr/bin/time ]] || missing+=("GNU time at /usr/bin/time (apt-get install time)")
if [[ " ${profiles[*]} " == *" real "* ]]; then
    command -v mergecap >/dev/null || missing+=("mergecap (apt-get install wireshark-common)")
    command -v capinfos >/dev/null || missing+=("capinfos (apt-get install wireshark-common)")
fi
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "compare.sh: missing: ${missing[*]}" >&2
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/nettriage-bench.XXXXXX")
captures=${BENCH_DIR:-$work}
mkdir -p "$captures"
real_made=
cleanup() {
    rm -rf "$work"
    [[ -n "${KEEP:-}" ]] || rm -f "$captures/real-set.pcap" "$captures/real-traces.txt"
}
trap cleanup EXIT

echo "building nettriage (Release) ..." >&2
# shellcheck disable=SC2086
# As shipped: native AOT (see the CLI project), which needs clang; without it, the framework-dependent build
# precompiled with ReadyToRun, and a word that it is the slower one.
rid=$(dotnet --info 2>/dev/null | awk '/^ *RID:/ { print $2; exit }')
build="native AOT"
if ! command -v clang >/dev/null 2>&1; then
    echo "compare.sh: clang is not installed (apt-get install clang zlib1g-dev): measuring the framework-dependent ReadyToRun build, which is slower than the native one" >&2
    PUBLISH_ARGS="-p:PublishAot=false --self-contained false ${PUBLISH_ARGS:-}"
    build="framework-dependent, ReadyToRun"
fi
dotnet publish "$repo/src/NetTriage.Cli" -c Release -r "${rid:-linux-x64}" -o "$work/nettriage" --nologo -v quiet ${PUBLISH_ARGS:-} >&2
nettriage="$work/nettriage/nettriage"
# Every analysis is recorded in the history store: here a throwaway one, so that the benchmark measures recording
# (the first run of a capture records it, the next ones find it recorded) without filling the user's history.
export NETTRIAGE_STORE="$work/history.db"

# Bytes from a size such as 200M, 1G, 1.5G (powers of 1024).
bytes_of() {
    awk -v s="$1" 'BEGIN {
        u = toupper(substr(s, length(s))); n = s + 0
        if (u == "K") n *= 1024; else if (u == "M") n *= 1048576; else if (u == "G") n *= 1073741824
        printf "%.0f", n }'
}

# The real profile's traces whose names say they are broken on purpose: fuzzers' finds, truncations, bad lengths
# and checksums, empty files, and tcpdump's tests of timestamps at the ends of 32 bits (time_2038 to time_2107,
# relts-0x80000000).
real_broken='oobr|asan|overflow|overrun|overread|underflow|segv|seg-?fault|crash|cve|fuzz|infinite|inf-loop'
real_broken+='|busyloop|pointer-loop|trunc|invalid|malformed|corrupt|bogus|broken|bad|garbage|(^|[-_])ub[-_.]'
real_broken+='|(^|/)empty\.|time_2[01]|relts'

# Chooses the real profile's traces (see the header) and concatenates them once into the set, $captures/real-set.pcap,
# listing them (path under SHARED/corpus, packets, bytes they take in the set) in $captures/real-traces.txt.
real_set() {
    local corpus="$shared/corpus" list="$captures/real-traces.txt" set="$captures/real-set.pcap"
    [[ -n "$real_made" ]] && return
    real_made=1
    [[ -s "$set" && -s "$list" && -n "${KEEP:-}" ]] && return
    echo "choosing the real traces in $corpus ..." >&2
    (cd "$corpus" && find tcpdump zeek -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | LC_ALL=C sort |
        grep -Eiv "$real_broken" >"$work/real-candidates.txt") || true
    # capinfos reads every record with tshark's own library and names on stderr the files it could not read to the end.
    (cd "$corpus" && tr '\n' '\0' <"$work/real-candidates.txt" |
        xargs -0 capinfos -T -r -E -c >"$work/real-capinfos.txt" 2>"$work/real-capinfos.err") || true
    grep -o '"[^"]*"' "$work/real-capinfos.err" | tr -d '"' | LC_ALL=C sort -u >"$work/real-unreadable.txt" || true
    awk -F'\t' 'FILENAME == ARGV[1] { bad[$0] = 1; next }
        $2 == "ether" && $3 > 0 && !($1 in bad) { print $1 "\t" $3 }' \
        "$work/real-unreadable.txt" "$work/real-capinfos.txt" >"$work/real-ether.txt"
    # tcpdump (libpcap) must read each to the end: exit 0 and nothing on stderr but its "reading from file" line.
    : >"$work/real-tcpdump-failed.txt"
    while IFS=$'\t' read -r f _; do
        if ! tcpdump -n -r "$corpus/$f" >/dev/null 2>"$work/tcpdump.err" ||
            grep -qv '^reading from file' "$work/tcpdump.err"; then
            echo "$f" >>"$work/real-tcpdump-failed.txt"
        fi
    done <"$work/real-ether.txt"
    awk -F'\t' 'FILENAME == ARGV[1] { bad[$0] = 1; next } !($1 in bad)' \
        "$work/real-tcpdump-failed.txt" "$work/real-ether.txt" >"$work/real-chosen.txt"
    echo "  $(wc -l <"$work/real-candidates.txt") candidate traces, $(wc -l <"$work/real-ether.txt") with Ethernet" \
        "packets read whole by capinfos, $(wc -l <"$work/real-tcpdump-failed.txt") of them refused by tcpdump:" \
        "$(wc -l <"$work/real-chosen.txt") in the set" >&2
    local traces
    mapfile -t traces < <(cut -f1 "$work/real-chosen.txt")
    (cd "$corpus" && mergecap -a -F pcap -w "$set" "${traces[@]}")
    # tshark reads the set as a whole (or the set is not one all three tools read), giving each packet's length in it:
    # each trace's bytes in the set follow from its packet count.
    if ! tshark -n -r "$set" -T fields -e frame.cap_len >"$work/real-lengths.txt" 2>"$work/tshark.err"; then
        echo "compare.sh: tshark cannot read the real set $set:" >&2
        cat "$work/tshark.err" >&2
        exit 1
    fi
    awk -F'\t' 'FILENAME == ARGV[1] { len[NR] = $1; next }
        { bytes = 0; for (k = 0; k < $2; k++) bytes += 16 + len[++n]; print $1 "\t" $2 "\t" bytes }' \
        "$work/real-lengths.txt" "$work/real-chosen.txt" >"$list"
    if [[ $(wc -l <"$work/real-lengths.txt") -ne $(awk -F'\t' '{ n += $2 } END { print n + 0 }' "$list") ]]; then
        echo "compare.sh: tshark and capinfos count the real set's packets differently" >&2
        exit 1
    fi
    echo "  set: $(stat -c %s "$set") bytes, $(capinfos -T -r -c "$set" | cut -f2) packets" >&2
}

# Makes the real capture FILE of about BYTES: the set repeated whole as often as it fits, then its first traces.
real_capture() {
    local file=$1 want=$2 set="$captures/real-set.pcap" list="$captures/real-traces.txt"
    real_set
    local body=$(($(stat -c %s "$set") - 24)) copies rest
    copies=$(((want - 24) / body))
    rest=$((want - 24 - copies * body))
    local inputs=()
    for ((k = 0; k < copies; k++)); do inputs+=("$set"); done
    while IFS=$'\t' read -r f _ bytes && ((rest > 0)); do
        inputs+=("$shared/corpus/$f")
        rest=$((rest - bytes))
    done <"$list"
    mergecap -a -F pcap -w "$file" "${inputs[@]}"
}

# Runs one tool once: "wall_seconds peak_kib" on stdout.
measure() {
    local log="$work/time.log"
    /usr/bin/time -v -o "$log" "$@" >/dev/null 2>"$work/stderr.log" || {
        echo "compare.sh: failed: $*" >&2
        cat "$work/stderr.log" >&2
        exit 1
    }
    awk -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; wall = s }
        /Maximum resident set size/ { rss = $2 }
        END { printf "%.3f %d\n", wall, rss }' "$log"
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
maximum() { sort -n | tail -1; }

cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
echo "machine: $(nproc) cores, ${cpu}; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "tools: nettriage $("$nettriage" --version 2>/dev/null | head -1) ($build), $(tcpdump --version 2>&1 | head -1), $(tshark --version 2>/dev/null | head -1)" >&2

rows=()
for size in "$@"; do
    for profile in "${profiles[@]}"; do
        want=$(bytes_of "$size")
        if [[ $profile == real ]]; then file="$captures/real-$size.pcap"; else file="$captures/mixed-$profile-$size-seed7.pcap"; fi
        if [[ ! -s "$file" || -z "${KEEP:-}" ]]; then
            free_kib=$(df -Pk "$captures" | awk 'NR == 2 { print $4 }')
            if (( free_kib < (want >> 10) + (1 << 20) )); then
                echo "compare.sh: $captures has $((free_kib >> 10)) MiB free; a $size capture needs about $((want >> 20)) MiB (plus 1 GiB of room)" >&2
                exit 1
            fi
            if [[ $profile == real ]]; then
                echo "concatenating $size of real traffic ..." >&2
                real_capture "$file" "$want"
            else
                echo "generating $size ($profile) ..." >&2
                "$nettriage" generate mixed --profile "$profile" --size "$size" --seed 7 -o "$file" 2>"$work/generate.log"
                tail -1 "$work/generate.log" >&2
            fi
        fi
        # Packets as capinfos counts them (tshark's package has it): tcpdump prints some real packets on several lines.
        if command -v capinfos >/dev/null; then
            packets=$(capinfos -T -r -c "$file" | cut -f2)
        else
            packets=$(tcpdump -n -r "$file" 2>/dev/null | wc -l)
        fi
        cat "$file" >/dev/null # into the page cache: all three tools read from memory

        : >"$work/nettriage.txt"; : >"$work/tcpdump.txt"; : >"$work/tshark.txt"
        for ((round = 0; round < RUNS; round++)); do
            order=(nettriage tcpdump tshark)
            for ((k = 0; k < round % 3; k++)); do order=("${order[@]:1}" "${order[0]}"); done
            for tool in "${order[@]}"; do
                # Back into the page cache before every run (not timed): tshark holds gigabytes, and the kernel may
                # evict the file meanwhile, which would time the disk for whichever tool runs next.
                cat "$file" >/dev/null
                case $tool in
                    nettriage) measure "$nettriage" analyze --format json "$file" >>"$work/nettriage.txt" ;;
                    tcpdump) measure tcpdump -n -r "$file" >>"$work/tcpdump.txt" ;;
                    tshark) measure tshark -n -r "$file" >>"$work/tshark.txt" ;;
                esac
            done
            echo "  $size $profile round $((round + 1))/$RUNS: nettriage $(tail -1 "$work/nettriage.txt" | cut -d' ' -f1) s, tcpdump $(tail -1 "$work/tcpdump.txt" | cut -d' ' -f1) s, tshark $(tail -1 "$work/tshark.txt" | cut -d' ' -f1) s" >&2
        done

        nt=$(cut -d' ' -f1 "$work/nettriage.txt" | median)
        td=$(cut -d' ' -f1 "$work/tcpdump.txt" | median)
        ts=$(cut -d' ' -f1 "$work/tshark.txt" | median)
        nt_mem=$(cut -d' ' -f2 "$work/nettriage.txt" | maximum)
        td_mem=$(cut -d' ' -f2 "$work/tcpdump.txt" | maximum)
        ts_mem=$(cut -d' ' -f2 "$work/tshark.txt" | maximum)
        rows+=("$(awk -v size="$size" -v profile="$profile" -v bytes="$(stat -Lc %s "$file")" -v packets="$packets" \
            -v nt="$nt" -v td="$td" -v ts="$ts" -v ntm="$nt_mem" -v tdm="$td_mem" -v tsm="$ts_mem" 'BEGIN {
            printf "| %s %s (%.0f MB, %.2f M packets) | %.2f s | %.2f s | %.2f s | %.1fx | %.1fx | %d MB | %d MB | %d MB |",
                size, profile, bytes / 1e6, packets / 1e6, nt, td, ts, td / nt, ts / nt, ntm / 1024, tdm / 1024, tsm / 1024 }')")

        [[ -n "${KEEP:-}" ]] || rm -f "$file"
    done
done

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs each, median time, largest peak RSS" >&2
echo
echo "| capture | nettriage analyze | tcpdump -n -r | tshark -n -r | tcpdump / nettriage | tshark / nettriage | nettriage peak RSS | tcpdump peak RSS | tshark peak RSS |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"

#!/usr/bin/env bash
# Times `nettriage analyze` against `tcpdump -n -r` and `tshark -n -r` on the same generated capture, in one run.
#
#   bench/compare.sh 1G                       one size, both profiles
#   bench/compare.sh 200M 1G 2G               several sizes, one table
#   PROFILES=bulk bench/compare.sh 200M       one profile
#
# For each size and each traffic profile: generates a capture once (`nettriage generate mixed --profile PROFILE
# --seed 7`: browsing, a site's gateway with every kind of failure, about 560 bytes a packet; bulk, a busy link of
# large downloads, about 980), reads it before every run so every tool reads from the page cache, then runs the three
# tools in turn, RUNS rounds (the order rotates each round so none always runs first). Reports the median wall time of
# each tool, the ratios to nettriage, and each tool's peak resident memory (the largest of its runs, from
# /usr/bin/time -v), one row per profile and size. Output goes to /dev/null for all three.
#
# Environment:
#   RUNS=5           rounds per size and profile
#   PROFILES="browsing bulk"  the profiles (`nettriage generate --help`), in this order for each size
#   BENCH_DIR=DIR    where captures are written (default: a temporary directory); needs about SIZE free
#   KEEP=1           keep the captures (and reuse one already there) instead of deleting them
#   PUBLISH_ARGS=... extra arguments for `dotnet publish` of nettriage
#
# Needs: dotnet (SDK 10), tcpdump, tshark, GNU time, and clang with zlib1g-dev for the native build. On Debian/Ubuntu:
#   sudo apt-get install tcpdump tshark time clang zlib1g-dev
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 SIZE [SIZE...]   (sizes like 200M, 1G, 2G; PROFILES=\"browsing bulk\" by default)" >&2
    exit 2
fi

RUNS=${RUNS:-5}
PROFILES=${PROFILES:-browsing bulk}
repo=$(cd "$(dirname "$0")/.." && pwd)

read -r -a profiles <<<"$PROFILES"
if [[ ${#profiles[@]} -eq 0 ]]; then
    echo "compare.sh: PROFILES is empty (browsing, bulk or both)" >&2
    exit 2
fi
for profile in "${profiles[@]}"; do
    case $profile in
        browsing | bulk) ;;
        *) echo "compare.sh: unknown profile '$profile' in PROFILES (browsing, bulk)" >&2; exit 2 ;;
    esac
done

missing=()
command -v dotnet >/dev/null || missing+=("dotnet (the .NET 10 SDK)")
command -v tcpdump >/dev/null || missing+=("tcpdump (apt-get install tcpdump)")
command -v tshark >/dev/null || missing+=("tshark (apt-get install tshark)")
[[ -x /usr/bin/time ]] || missing+=("GNU time at /usr/bin/time (apt-get install time)")
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "compare.sh: missing: ${missing[*]}" >&2
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/nettriage-bench.XXXXXX")
captures=${BENCH_DIR:-$work}
mkdir -p "$captures"
cleanup() { rm -rf "$work"; }
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
        file="$captures/mixed-$profile-$size-seed7.pcap"
        if [[ ! -s "$file" || -z "${KEEP:-}" ]]; then
            free_kib=$(df -Pk "$captures" | awk 'NR == 2 { print $4 }')
            if (( free_kib < (want >> 10) + (1 << 20) )); then
                echo "compare.sh: $captures has $((free_kib >> 10)) MiB free; a $size capture needs about $((want >> 20)) MiB (plus 1 GiB of room)" >&2
                exit 1
            fi
            echo "generating $size ($profile) ..." >&2
            "$nettriage" generate mixed --profile "$profile" --size "$size" --seed 7 -o "$file" 2>"$work/generate.log"
            tail -1 "$work/generate.log" >&2
        fi
        packets=$(tcpdump -n -r "$file" 2>/dev/null | wc -l)
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

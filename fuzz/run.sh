#!/usr/bin/env bash
# Coverage-guided fuzzing of NetTriage's sources and decoders with SharpFuzz and AFL++ (docs/robustness.md).
#
#   fuzz/run.sh TARGET SECONDS      TARGET: pcap, pcapng, text, dns, icmp
#
# Builds fuzz/NetTriage.Fuzz, writes the target's seeds, instruments the NetTriage assemblies with SharpFuzz,
# and runs afl-fuzz for SECONDS. Everything goes under fuzz/out/ (ignored by git); a second run of the same
# target resumes from its findings. Each crash found is replayed at the end (with an uninstrumented copy in
# fuzz/out/replay); write it into tests/NetTriage.Capture.Tests/Robustness/Regressions/ with the harness's
# capture command and fix it. Needs afl++ (apt-get install afl++).
# Never run in CI.
set -euo pipefail

target="${1:-}"
seconds="${2:-}"
case "$target" in
  pcap|pcapng|text|dns|icmp) ;;
  *) echo "usage: $0 pcap|pcapng|text|dns|icmp SECONDS" >&2; exit 2 ;;
esac
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: $0 $target SECONDS (a positive number)" >&2
  exit 2
fi
if ! command -v afl-fuzz >/dev/null; then
  echo "afl-fuzz is not installed: apt-get install afl++" >&2
  exit 2
fi

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
out="$here/out"
bin="$out/bin"
replay="$out/replay"
tools="$out/tools"
seeds="$out/seeds/$target"
findings="$out/findings/$target"
sharpfuzz_version=2.3.0

if [ ! -x "$tools/sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version "$sharpfuzz_version" --tool-path "$tools" >/dev/null
fi

# A fresh, uninstrumented build each time: SharpFuzz instruments an assembly once, in place.
rm -rf "$bin"
dotnet publish "$here/NetTriage.Fuzz/NetTriage.Fuzz.csproj" -c Release -o "$bin" --nologo -v quiet >/dev/null

rm -rf "$seeds"
dotnet "$bin/NetTriage.Fuzz.dll" seeds "$target" "$seeds"
if [ "$target" = text ]; then
  cp "$repo/samples/seed-incident.txt" "$seeds/seed-incident.txt"
fi

# Instrumented code only runs under afl-fuzz: replaying and writing regression files use an uninstrumented copy.
rm -rf "$replay"
cp -r "$bin" "$replay"
for assembly in NetTriage.Packets NetTriage.Capture NetTriage.Analysis NetTriage.Reporting; do
  "$tools/sharpfuzz" "$bin/$assembly.dll" >/dev/null
done

mkdir -p "$findings"
export AFL_SKIP_BIN_CHECK=1                     # the target is the dotnet host, instrumented by SharpFuzz, not by afl-cc
export AFL_NO_UI=1
export AFL_AUTORESUME=1
export AFL_SKIP_CPUFREQ=1
export AFL_NO_AFFINITY=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_TESTCACHE_SIZE=50
set +e
afl-fuzz -V "$seconds" -t 10000 -m none -i "$seeds" -o "$findings" -- dotnet "$bin/NetTriage.Fuzz.dll" "$target" > "$out/afl-$target.log" 2>&1
status=$?
set -e
if [ "$status" -ne 0 ]; then
  echo "afl-fuzz exited with $status; the end of its log ($out/afl-$target.log):" >&2
  tail -n 30 "$out/afl-$target.log" >&2
  exit "$status"
fi

stats="$findings/default/fuzzer_stats"
field() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
echo "$target: $(field execs_done) executions in $(field run_time) s ($(field execs_per_sec)/s), $(field corpus_count) inputs in the corpus," \
  "$(field saved_crashes) crash(es), $(field saved_hangs) hang(s); edge coverage $(field bitmap_cvg)"

crashes=("$findings"/default/crashes/id:*)
if [ -e "${crashes[0]}" ]; then
  echo "replaying the crashes:"
  dotnet "$replay/NetTriage.Fuzz.dll" replay "$target" "${crashes[@]}" || true
  echo "keep each as a regression file (then fix it):"
  echo "  dotnet $replay/NetTriage.Fuzz.dll capture $target CRASH tests/NetTriage.Capture.Tests/Robustness/Regressions/$target-WHAT.bin"
  exit 1
fi

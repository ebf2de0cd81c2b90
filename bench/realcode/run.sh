#!/usr/bin/env bash
# run.sh - measure `cyclops check` on three public projects (bench/README.md, "Real projects").
#
# Usage: bench/realcode/run.sh CYCLOPS OUT_DIR IXWS_0388459B IXWS_847FC142 CHAISCRIPT TRANTOR
#   CYCLOPS        the analyzer binary (a Release build of cyclops)
#   OUT_DIR        where the build trees, findings and timings go (created)
#   IXWS_...       work trees of machinezone/IXWebSocket at 0388459b and at 847fc142
#   CHAISCRIPT     a work tree of ChaiScript/ChaiScript
#   TRANTOR        a work tree of an-tao/trantor
# Needs cmake, ninja, clang++-19, GNU time (/usr/bin/time), python3, and the Debian packages
# zlib1g-dev libssl-dev libc-ares-dev libgtest-dev. Only configures the
# projects (nothing is built). Runs one analysis at a time, each with -j 2 (set JOBS to change).
# RUNS (default 1) is passed to ratio.py: the median of that many cold runs of each side.
set -euo pipefail
[ $# -eq 6 ] || { sed -n 2,15p "$0" >&2; exit 2; }
CYCLOPS=$(realpath "$1"); OUT=$2; mkdir -p "$OUT"; OUT=$(realpath "$OUT")
declare -A SRC=([ixws-0388459b]=$(realpath "$3") [ixws-847fc142]=$(realpath "$4")
                [chaiscript]=$(realpath "$5") [trantor]=$(realpath "$6"))
HERE=$(cd "$(dirname "$0")" && pwd)
JOBS=${JOBS:-2}; RUNS=${RUNS:-1}
CC_ARGS=(-G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19)

configure() {  # name, extra cmake arguments...
  local name=$1; shift
  cmake -S "${SRC[$name]}" -B "$OUT/$name-build" "${CC_ARGS[@]}" "$@" > "$OUT/$name-configure.log"
}
configure ixws-0388459b -DUSE_TEST=ON -DUSE_WS=ON
configure ixws-847fc142 -DUSE_TEST=ON -DUSE_WS=ON
configure chaiscript -DBUILD_SAMPLES=ON -DBUILD_TESTING=ON
configure trantor -DBUILD_TESTING=ON
# IXWebSocket keeps its leak test (issue #224) out of test/CMakeLists.txt: give it a sibling's flags.
for c in 0388459b 847fc142; do
  python3 "$HERE/add_tu.py" "$OUT/ixws-$c-build" "${SRC[ixws-$c]}/test/IXWebSocketLeakTest.cpp" \
    "${SRC[ixws-$c]}/test/IXWebSocketServerTest.cpp"
done

# TUs that clang cannot compile here (old Catch2 main against glibc >= 2.34; the leak test
# against 847fc142's new server API): left out of the time ratio only.
declare -A EXCLUDE=([ixws-0388459b]='test_runner\.cpp$'
                    [ixws-847fc142]='(test_runner|IXWebSocketLeakTest)\.cpp$')
for name in ixws-0388459b ixws-847fc142 chaiscript trantor; do
  b=$OUT/$name-build
  for fmt in json text; do
    ext=$fmt; [ "$fmt" = text ] && ext=txt
    /usr/bin/time -v "$CYCLOPS" check -p "$b" --format=$fmt --color=never -o "$OUT/$name.$ext" \
      -j "$JOBS" --no-cache 2> "$OUT/$name.$fmt.time" || true   # exit 1 = findings, 2 = a TU failed
  done
  python3 "$HERE/ratio.py" --cyclops "$CYCLOPS" -p "$b" --jobs "$JOBS" --runs "$RUNS" \
    ${EXCLUDE[$name]:+--exclude "${EXCLUDE[$name]}"} > "$OUT/$name.ratio.txt"
  python3 - "$OUT/$name.json" "$OUT/$name.json.time" <<'PY'
import collections, json, re, sys
f = json.load(open(sys.argv[1]))["findings"]
t = open(sys.argv[2]).read()
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1)
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) // 1024
errs = [l for l in t.splitlines() if l.startswith("cyclops:")]
print(f"{sys.argv[1]}: wall {wall}, max RSS {rss} MiB")
for l in errs:
    print("   ", l[:300])
for (rule, sev), n in sorted(collections.Counter((x["rule"], x["severity"]) for x in f).items()):
    print(f"    {rule} {sev}: {n}")
PY
  cat "$OUT/$name.ratio.txt"
done

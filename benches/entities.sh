#!/usr/bin/env bash
# The scale check of the entity registry (issue 5): what 5,000 entities add
# to the build of 10,000 texts.
#
#   bash benches/entities.sh [N [K]]        (default: 10000 5000)
#
# Generates (or reuses) the edition `benches/gen_edition.py N --entities K`
# in $BENCH_DIR/n<N>-e<K>/, and beside it the same edition without
# content/entities/ (hard links: the same text files), then times
# `scholia build` of each into tmpfs ($SHM_DIR), $RUNS times each (default 3),
# alternating the two, and reports the medians of wall and CPU (user + system)
# seconds, the peak resident memory, and the overhead of the registry in per
# cent (target: at most 25%). The mentions are part of both editions' texts;
# only the registry differs. Results are appended to
# $BENCH_DIR/entities-<date>.txt.
#
# Environment: BENCH_DIR (default target/bench), SHM_DIR (default
# /dev/shm/scholia-bench-entities), RUNS (default 3), SEED (default 42),
# SCHOLIA (a scholia binary to time instead of building target/release/scholia;
# useful while someone else rebuilds that file).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)
BENCH_DIR=${BENCH_DIR:-$repo/target/bench}
SHM_DIR=${SHM_DIR:-/dev/shm/scholia-bench-entities}
RUNS=${RUNS:-3}
SEED=${SEED:-42}
n=${1:-10000}
k=${2:-5000}

say() { printf '==> %s\n' "$*" >&2; }

if [ -n "${SCHOLIA:-}" ]; then
    bin=$SCHOLIA
else
    say "cargo build --release"
    cargo build --release --quiet
    bin=$repo/target/release/scholia
fi
[ -x /usr/bin/time ] || { echo "entities.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

mkdir -p "$BENCH_DIR" "$SHM_DIR"
trap 'rm -rf "$SHM_DIR"' EXIT
results=$BENCH_DIR/entities-$(date -u +%Y%m%dT%H%M%SZ).txt

in=$BENCH_DIR/n$n-e$k
if [ -f "$in/STAMP" ] && grep -q "\"entities\": $k, .*\"generator\": 3, \"mentions\": [0-9]*, .*\"n\": $n, \"seed\": $SEED," "$in/STAMP"; then
    say "reusing the generated edition in $in"
else
    say "generating $n texts with $k entities into $in"
    python3 "$repo/benches/gen_edition.py" "$n" "$in" --seed "$SEED" --entities "$k" >&2
fi
with=$in/scholia without=$in/scholia-noreg
rm -rf "$without"
cp -al "$with" "$without"
rm -rf "$without/content/entities"
logs=$BENCH_DIR/logs-n$n-e$k
mkdir -p "$logs"

# measure LOG CMD... : sets SECS, CPU (user + system) and MB (peak RSS).
measure() {
    local log=$1 tf kb user sys
    shift
    tf=$(mktemp)
    if ! /usr/bin/time -f '%e %U %S %M' -o "$tf" "$@" >"$log" 2>&1; then
        echo "FAILED: $*" >&2
        tail -n 20 "$log" >&2
        rm -f "$tf"
        exit 1
    fi
    read -r SECS user sys kb <"$tf"
    MB=$((kb / 1024))
    CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    rm -f "$tf"
}
median() {
    printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'
}
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%+.0f%%", (a / b - 1) * 100; else print "-" }'; }

{
    echo "entity registry scale check, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(free -g | awk '/^Mem:/ {print $2}') GiB; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "scholia: $("$bin" --version) ($bin; git $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src 2>/dev/null || echo ', src/ with uncommitted changes'))"
    echo "edition: $(cat "$in/STAMP")"
    echo "runs: $RUNS of each, alternating, output on $SHM_DIR (removed before each run)"
} | tee "$results"

declare -a w_s w_cpu without_s without_cpu
w_mb=0 wo_mb=0
for ((i = 1; i <= RUNS; i++)); do
    say "run $i/$RUNS: without registry"
    rm -rf "$SHM_DIR/out"
    measure "$logs/without-$i.log" "$bin" build "$without" -o "$SHM_DIR/out"
    without_s+=("$SECS") without_cpu+=("$CPU")
    ((MB > wo_mb)) && wo_mb=$MB
    echo "  run $i without: ${SECS} s wall, ${CPU} s cpu, ${MB} MB, load $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$results"
    pages_wo=$(find "$SHM_DIR/out" -name '*.html' | wc -l)
    say "run $i/$RUNS: with registry"
    rm -rf "$SHM_DIR/out"
    measure "$logs/with-$i.log" "$bin" build "$with" -o "$SHM_DIR/out"
    w_s+=("$SECS") w_cpu+=("$CPU")
    ((MB > w_mb)) && w_mb=$MB
    echo "  run $i with:    ${SECS} s wall, ${CPU} s cpu, ${MB} MB, load $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$results"
    pages_w=$(find "$SHM_DIR/out" -name '*.html' | wc -l)
done
rm -rf "$SHM_DIR/out"

ws=$(median "${w_s[@]}") wc=$(median "${w_cpu[@]}")
os=$(median "${without_s[@]}") oc=$(median "${without_cpu[@]}")
{
    echo
    echo "N=$n texts, K=$k entities; pages written: with $pages_w, without $pages_wo"
    printf '%-22s %8s %8s %8s\n' "" "wall s" "cpu s" "peak MB"
    printf '%-22s %8s %8s %8s\n' "without registry" "$os" "$oc" "$wo_mb"
    printf '%-22s %8s %8s %8s\n' "with registry" "$ws" "$wc" "$w_mb"
    printf '%-22s %8s %8s %8s\n' "overhead" "$(pct "$ws" "$os")" "$(pct "$wc" "$oc")" "$(pct "$w_mb" "$wo_mb")"
    echo "target: overhead at most +25%; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$results"
say "results: $results"

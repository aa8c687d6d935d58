#!/usr/bin/env bash
# Times `scholia build` beside Hugo on the same synthetic edition, in one run.
#
#   bash benches/compare.sh [N...]        (default: 1000 10000)
#
# For each N: generates the edition (benches/gen_edition.py, reused when
# already there), then measures, with /usr/bin/time (wall seconds, peak RSS):
#   build cold  tmpfs  first build into an empty output folder on /dev/shm
#                      (Hugo with an empty --cacheDir too)
#   build warm  tmpfs  rebuild over that output; median of $RUNS runs
#   build cold  disk   as cold, output under $BENCH_DIR/out on the disk
#   check              `scholia check` (no writing) beside `hugo --renderToMemory`
# and prints a table with the ratio hugo/scholia (above 1: scholia is faster
# or smaller). Results are also written to $BENCH_DIR/results-<date>.txt.
# Beside them: the same texts built by mdBook (MDBOOK=0 skips it), the
# output sizes, the build with the search index on beside Hugo and mdBook's
# search (SEARCH=0 skips it), and `scholia import` of 50 MB of plain text
# (IMPORT=0 skips it).
# Then, unless ENTITIES=0, it runs benches/entities.sh (the entity registry
# scale check: 10,000 texts with and without 5,000 entities).
#
# Environment: BENCH_DIR (inputs and results; default target/bench),
# SHM_DIR (tmpfs outputs; default /dev/shm/scholia-bench), RUNS (warm runs;
# default 3), SEED (generator seed; default 42), HYPERFINE=0 to skip the
# hyperfine summary that runs when hyperfine is installed, ENTITIES=0 to skip
# the entity registry check.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)
BENCH_DIR=${BENCH_DIR:-$repo/target/bench}
SHM_DIR=${SHM_DIR:-/dev/shm/scholia-bench}
RUNS=${RUNS:-3}
SEED=${SEED:-42}
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(1000 10000)

say() { printf '==> %s\n' "$*" >&2; }

# --- tools ---------------------------------------------------------------------
apt_updated=
apt_install() {
    local SUDO=
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    if [ -z "$apt_updated" ]; then
        $SUDO apt-get update -qq
        apt_updated=1
    fi
    say "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}
command -v hugo >/dev/null 2>&1 || apt_install hugo
[ -x /usr/bin/time ] || apt_install time
# mdBook: from PATH, else installed with cargo into $BENCH_DIR/tools (a few
# minutes, once); MDBOOK=0 leaves it out, MDBOOK=path picks a binary. mdBook
# builds one chapter at a time and grows faster than its chapters (0.5.4: 2.6 s
# at 1,000, 280 s at 10,000), so it runs only up to MDBOOK_MAX_N texts.
MDBOOK_MAX_N=${MDBOOK_MAX_N:-1000}
MDBOOK=${MDBOOK:-$(command -v mdbook || true)}
if [ "$MDBOOK" = 0 ]; then
    MDBOOK=
elif [ -z "$MDBOOK" ]; then
    MDBOOK=$BENCH_DIR/tools/bin/mdbook
    if [ ! -x "$MDBOOK" ]; then
        say "cargo install mdbook --locked (into $BENCH_DIR/tools)"
        cargo install mdbook --locked --quiet --root "$BENCH_DIR/tools"
    fi
fi

say "cargo build --release"
cargo build --release --quiet
bin=$repo/target/release/scholia

mkdir -p "$BENCH_DIR" "$SHM_DIR"
trap 'rm -rf "$SHM_DIR"' EXIT
results=$BENCH_DIR/results-$(date -u +%Y%m%dT%H%M%SZ).txt

# --- measuring -------------------------------------------------------------------
# measure LOG CMD... : runs CMD under /usr/bin/time; sets SECS (wall), CPU
# (user + system seconds) and MB (peak resident memory).
measure() {
    local log=$1
    shift
    local tf
    tf=$(mktemp)
    if ! /usr/bin/time -f '%e %M %U %S' -o "$tf" "$@" >"$log" 2>&1; then
        echo "FAILED: $*" >&2
        tail -n 20 "$log" >&2
        rm -f "$tf"
        exit 1
    fi
    local kb user sys
    read -r SECS kb user sys <"$tf"
    MB=$((kb / 1024))
    CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    rm -f "$tf"
}

# measure_median LOG RUNS CMD... : median SECS and CPU, peak MB over RUNS runs.
measure_median() {
    local log=$1 runs=$2
    shift 2
    local times=() cpus=() peak=0 i
    for ((i = 0; i < runs; i++)); do
        measure "$log" "$@"
        times+=("$SECS")
        cpus+=("$CPU")
        ((MB > peak)) && peak=$MB
    done
    SECS=$(median "${times[@]}")
    CPU=$(median "${cpus[@]}")
    MB=$peak
}

median() {
    printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'
}

drop_caches() { # best effort: needs a writable /proc/sys/vm/drop_caches
    sync
    { echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null && return 0 || return 1
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

FMT='%-31s %9s %7s %6s %8s %7s %6s %9s %8s\n'
row() { # label scholia_s scholia_cpu scholia_mb hugo_s hugo_cpu hugo_mb
    printf "$FMT" "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$(ratio "$5" "$2")x" "$(ratio "$7" "$4")x"
}

size_of() { # folder -> "N MB in F files"
    echo "$(du -sm "$1" | cut -f1) MB in $(find "$1" -type f | wc -l) files"
}

# search_rows: the same edition with scholia's search index on, beside Hugo
# (which has none of its own) and mdBook with its own (elasticlunr) index.
# Uses the loop's variables.
search_rows() {
    local with=$in/scholia-search out=$SHM_DIR/scholia-search-$n
    rm -rf "$with"
    cp -al "$in/scholia" "$with"
    rm "$with/book.toml"
    sed 's/^enabled = false/enabled = true/' "$in/scholia/book.toml" >"$with/book.toml"
    say "N=$n: scholia build with search, tmpfs"
    measure "$logs/scholia-search.log" "$bin" build "$with" -o "$out"
    local s=$SECS s_cpu=$CPU s_mb=$MB
    {
        echo
        echo "with the search index on (scholia: its own index, in-process; index $(size_of "$out/search-index"))"
        printf "$FMT" "" "scholia s" "cpu s" "MB" "hugo s" "cpu s" "MB" "time h/s" "mem h/s"
        row "search on (hugo: no index)" "$s" "$s_cpu" "$s_mb" "$h_warm" "$h_warm_cpu" "$h_warm_mb"
    } | tee -a "$results"
    rm -rf "$out" "$with"
    if [ -n "$MDBOOK" ] && [ "$n" -le "$MDBOOK_MAX_N" ]; then
        local m_out=$SHM_DIR/mdbook-search-$n
        say "N=$n: mdbook build with search, tmpfs"
        MDBOOK_OUTPUT__HTML__SEARCH__ENABLE=true measure "$logs/mdbook-search.log" "$MDBOOK" build "$in/mdbook" -d "$m_out"
        {
            printf "$FMT" "" "scholia s" "cpu s" "MB" "mdbook s" "cpu s" "MB" "time m/s" "mem m/s"
            row "search on (mdbook: its own)" "$s" "$s_cpu" "$s_mb" "$SECS" "$CPU" "$MB"
            echo "mdbook's index: $(find "$m_out" -maxdepth 1 -name 'searchindex*' -printf '%s\n' | awk '{t += $1} END {printf "%.0f", t / 1e6}') MB"
        } | tee -a "$results"
        rm -rf "$m_out"
    fi
}

# import_row: `scholia import` of 50 MB of plain text (the seed texts, one
# after another, repeated) into a new edition on tmpfs. No peer imports
# these sources, so the figure is absolute (MB/s).
import_row() {
    local big=$BENCH_DIR/import-50mb.txt ed=$SHM_DIR/import-edition
    if [ ! -f "$big" ]; then
        python3 - "$repo/../shared/seeds" "$big" <<'PY'
import glob, sys
seeds = [open(p, encoding="utf-8").read() for p in sorted(glob.glob(sys.argv[1] + "/*.txt"))]
with open(sys.argv[2], "w", encoding="utf-8") as out:
    written, i = 0, 0
    while written < 50_000_000:
        chunk = seeds[i % len(seeds)] + "\n\n"
        out.write(chunk)
        written += len(chunk.encode("utf-8"))
        i += 1
PY
    fi
    rm -rf "$ed"
    "$bin" init "$ed" >/dev/null
    say "import of $(du -m "$big" | cut -f1) MB"
    measure "$BENCH_DIR/import.log" "$bin" import "$big" --into "$ed/content/imported"
    {
        echo
        echo "import of $(du -m "$big" | cut -f1) MB of plain text: $SECS s wall, $CPU s cpu, $MB MB peak; $(awk -v s="$SECS" -v b="$(stat -c %s "$big")" 'BEGIN { printf "%.1f", b / 1e6 / s }') MB/s; $(find "$ed/content/imported" -name '*.md' | wc -l) texts"
    } | tee -a "$results"
    rm -rf "$ed"
}

# --- the run -----------------------------------------------------------------------
{
    echo "scholia vs hugo, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(free -g | awk '/^Mem:/ {print $2}') GiB"
    echo "scholia: $("$bin" --version) (git $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ', with uncommitted changes')), release build"
    echo "hugo:    $(hugo version)"
    [ -z "$MDBOOK" ] || echo "mdbook:  $("$MDBOOK" --version)"
    if drop_caches; then
        echo "cold runs: page cache dropped before each"
    else
        echo "cold runs: fresh output folder (page cache cannot be dropped here; inputs stay cached)"
    fi
    echo "warm runs: median of $RUNS; tmpfs: $SHM_DIR; disk: $BENCH_DIR/out"
} | tee "$results"

for n in "${sizes[@]}"; do
    in=$BENCH_DIR/n$n m_out=
    want="\"n\": $n, \"seed\": $SEED"
    if [ -f "$in/STAMP" ] && grep -q "\"generator\": 3, $want" "$in/STAMP" && ! grep -q '"entities"' "$in/STAMP" && [ -d "$in/mdbook" ]; then
        say "reusing the generated edition in $in"
    else
        say "generating $n texts into $in"
        python3 "$repo/benches/gen_edition.py" "$n" "$in" --seed "$SEED" >&2
    fi
    mb_in=$(du -sm "$in/scholia/content" | cut -f1)
    logs=$BENCH_DIR/logs-n$n
    mkdir -p "$logs" "$BENCH_DIR/out"

    s_out=$SHM_DIR/scholia-$n h_out=$SHM_DIR/hugo-$n h_cache=$SHM_DIR/hugo-cache-$n
    scholia_build() { "$bin" build "$in/scholia" -o "$1"; }
    hugo_build() { hugo --source "$in/hugo" --destination "$1" --cacheDir "$2" --noBuildLock --quiet; }

    say "N=$n: scholia build, cold, tmpfs"
    rm -rf "$s_out"
    drop_caches || true
    measure "$logs/scholia-cold.log" "$bin" build "$in/scholia" -o "$s_out"
    s_cold=$SECS s_cold_cpu=$CPU s_cold_mb=$MB
    pages_s=$(find "$s_out" -name '*.html' | wc -l)
    say "N=$n: hugo build, cold, tmpfs"
    rm -rf "$h_out" "$h_cache"
    drop_caches || true
    measure "$logs/hugo-cold.log" hugo --source "$in/hugo" --destination "$h_out" --cacheDir "$h_cache" --noBuildLock --quiet
    h_cold=$SECS h_cold_cpu=$CPU h_cold_mb=$MB
    pages_h=$(find "$h_out" -name '*.html' | wc -l)

    say "N=$n: warm rebuilds, $RUNS each"
    measure_median "$logs/scholia-warm.log" "$RUNS" "$bin" build "$in/scholia" -o "$s_out"
    s_warm=$SECS s_warm_cpu=$CPU s_warm_mb=$MB
    measure_median "$logs/hugo-warm.log" "$RUNS" hugo --source "$in/hugo" --destination "$h_out" --cacheDir "$h_cache" --noBuildLock --quiet
    h_warm=$SECS h_warm_cpu=$CPU h_warm_mb=$MB

    say "N=$n: cold builds on disk"
    d_s=$BENCH_DIR/out/scholia-$n d_h=$BENCH_DIR/out/hugo-$n
    rm -rf "$d_s" "$d_h" "$h_cache"
    drop_caches || true
    measure "$logs/scholia-disk.log" "$bin" build "$in/scholia" -o "$d_s"
    s_disk=$SECS s_disk_cpu=$CPU s_disk_mb=$MB
    drop_caches || true
    measure "$logs/hugo-disk.log" hugo --source "$in/hugo" --destination "$d_h" --cacheDir "$h_cache" --noBuildLock --quiet
    h_disk=$SECS h_disk_cpu=$CPU h_disk_mb=$MB
    rm -rf "$d_s" "$d_h"

    say "N=$n: scholia check / hugo --renderToMemory"
    measure_median "$logs/scholia-check.log" "$RUNS" "$bin" check "$in/scholia"
    s_check=$SECS s_check_cpu=$CPU s_check_mb=$MB
    measure_median "$logs/hugo-memory.log" "$RUNS" hugo --source "$in/hugo" --renderToMemory --cacheDir "$h_cache" --noBuildLock --quiet
    h_check=$SECS h_check_cpu=$CPU h_check_mb=$MB

    {
        echo
        echo "N=$n texts, $mb_in MB of Markdown; pages written: scholia $pages_s, hugo $pages_h"
        printf "$FMT" "" "scholia s" "cpu s" "MB" "hugo s" "cpu s" "MB" "time h/s" "mem h/s"
        row "build, cold, tmpfs" "$s_cold" "$s_cold_cpu" "$s_cold_mb" "$h_cold" "$h_cold_cpu" "$h_cold_mb"
        row "build, warm, tmpfs (median)" "$s_warm" "$s_warm_cpu" "$s_warm_mb" "$h_warm" "$h_warm_cpu" "$h_warm_mb"
        row "build, cold, disk" "$s_disk" "$s_disk_cpu" "$s_disk_mb" "$h_disk" "$h_disk_cpu" "$h_disk_mb"
        row "check / hugo --renderToMemory" "$s_check" "$s_check_cpu" "$s_check_mb" "$h_check" "$h_check_cpu" "$h_check_mb"
    } | tee -a "$results"

    if [ -n "$MDBOOK" ] && [ "$n" -le "$MDBOOK_MAX_N" ]; then
        m_out=$SHM_DIR/mdbook-$n
        say "N=$n: mdbook build, cold and warm, tmpfs"
        rm -rf "$m_out"
        drop_caches || true
        measure "$logs/mdbook-cold.log" "$MDBOOK" build "$in/mdbook" -d "$m_out"
        m_cold=$SECS m_cold_cpu=$CPU m_cold_mb=$MB
        measure_median "$logs/mdbook-warm.log" "$RUNS" "$MDBOOK" build "$in/mdbook" -d "$m_out"
        m_warm=$SECS m_warm_cpu=$CPU m_warm_mb=$MB
        pages_m=$(find "$m_out" -name '*.html' | wc -l)
        {
            echo
            echo "the same texts as an mdBook (one chapter each, no search index); pages written: mdbook $pages_m"
            printf "$FMT" "" "scholia s" "cpu s" "MB" "mdbook s" "cpu s" "MB" "time m/s" "mem m/s"
            row "build, cold, tmpfs" "$s_cold" "$s_cold_cpu" "$s_cold_mb" "$m_cold" "$m_cold_cpu" "$m_cold_mb"
            row "build, warm, tmpfs (median)" "$s_warm" "$s_warm_cpu" "$s_warm_mb" "$m_warm" "$m_warm_cpu" "$m_warm_mb"
        } | tee -a "$results"
    fi

    if [ -n "$MDBOOK" ] && [ "$n" -gt "$MDBOOK_MAX_N" ]; then
        printf '\nmdbook: not run above MDBOOK_MAX_N=%s texts\n' "$MDBOOK_MAX_N" | tee -a "$results"
    fi
    {
        echo
        echo "output (tmpfs, after the warm builds): $(size_of "$s_out") scholia, $(size_of "$h_out") hugo$([ ! -d "${m_out:-}" ] || echo ", $(size_of "$m_out") mdbook")"
    } | tee -a "$results"
    rm -rf "${m_out:-}"

    if [ "${SEARCH:-1}" != 0 ]; then
        search_rows
    fi

    if command -v hyperfine >/dev/null 2>&1 && [ "${HYPERFINE:-1}" != 0 ]; then
        say "N=$n: hyperfine, warm builds on tmpfs"
        hyperfine --style basic --warmup 1 --runs "$RUNS" \
            -n scholia "$bin build '$in/scholia' -o '$s_out'" \
            -n hugo "hugo --source '$in/hugo' --destination '$h_out' --cacheDir '$h_cache' --noBuildLock --quiet" \
            2>&1 | tee -a "$results" >&2
    fi
    rm -rf "$s_out" "$h_out" "$h_cache"
done
[ "${IMPORT:-1}" = 0 ] || import_row
echo >&2
say "results: $results"

if [ "${ENTITIES:-1}" != 0 ]; then
    say "entity registry scale check (benches/entities.sh; ENTITIES=0 skips it)"
    SCHOLIA=$bin BENCH_DIR=$BENCH_DIR RUNS=$RUNS SEED=$SEED bash "$repo/benches/entities.sh"
fi

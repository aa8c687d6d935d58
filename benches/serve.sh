#!/usr/bin/env bash
# The preview at scale (issue 6): after saving a one-word edit of one text in
# an edition of N texts, how long `scholia serve` takes to rebuild, and how
# long until an open browser tab shows the new word; the same for
# `hugo server` on the same texts, measured in the same run.
#
#   bash benches/serve.sh [N] [ENTITIES]      (default: 10000 1000)
#
# Generates (or reuses) `benches/gen_edition.py N --entities ENTITIES` in
# $BENCH_DIR/n<N>-e<ENTITIES>/ and, for each tool in turn:
#   1. starts its server on loopback and times how long until the text page
#      is served (the first, whole build);
#   2. EDITS times: opens the text page in headless Chromium
#      (tests/support/cdp.mjs), waits until its live-reload connection is up,
#      replaces one word of the text's first paragraph on disk (the file
#      rewritten in place, as most editors save), and waits until the page
#      shows the new word.
# "rebuild" is the server's own figure for that change (scholia's
# `rebuilt in N ms` with SCHOLIA_TIMINGS=1; hugo's `Total in N ms`), summed
# when one save gave more than one rebuild. "browser" is from the moment
# before the write to the reloaded page's DOMContentLoaded, both on the
# system clock (performance.timeOrigin + the navigation entry). The text file
# is restored at the end, whatever happens.
#
# Targets (issue 6): at N=10000, rebuild < 100 ms and browser < 500 ms.
# Results are appended to $BENCH_DIR/serve-<date>.txt.
#
# Environment: BENCH_DIR (default target/bench), SEED (default 42), EDITS
# (default 7), PORT (default 38571; hugo gets PORT+1), SCHOLIA (a scholia
# binary instead of building target/release/scholia), CHROMIUM (default:
# chromium on PATH), HUGO=0 to skip hugo.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)
BENCH_DIR=${BENCH_DIR:-$repo/target/bench}
SEED=${SEED:-42}
EDITS=${EDITS:-7}
PORT=${PORT:-38571}
n=${1:-10000}
entities=${2:-1000}

say() { printf '==> %s\n' "$*" >&2; }
die() { echo "serve.sh: $*" >&2; exit 1; }

for tool in node python3 curl "${CHROMIUM:-chromium}"; do
    command -v "$tool" >/dev/null || die "needs $tool"
done
chromium=$(command -v "${CHROMIUM:-chromium}")
if [ "${HUGO:-1}" != 0 ] && ! command -v hugo >/dev/null; then
    say "installing hugo (apt)"
    sudo apt-get install -y -qq hugo >/dev/null 2>&1 || apt-get install -y -qq hugo >/dev/null || die "needs hugo (or HUGO=0)"
fi
if [ -n "${SCHOLIA:-}" ]; then
    bin=$SCHOLIA
else
    say "cargo build --release"
    cargo build --release --quiet
    bin=$repo/target/release/scholia
fi

in=$BENCH_DIR/n$n-e$entities
if [ -f "$in/STAMP" ] && grep -q "\"entities\": $entities, .*\"generator\": 3, .*\"n\": $n, \"seed\": $SEED" "$in/STAMP"; then
    say "reusing the generated edition in $in"
else
    say "generating $n texts with $entities entities into $in"
    python3 "$repo/benches/gen_edition.py" "$n" "$in" --seed "$SEED" --entities "$entities" >&2
fi

# The text in the middle of the edition: gen_edition.py puts text i (from 0)
# in section (i mod 10) + 1.
i=$((n / 2 - 1))
rel=content/section-$(printf '%02d' $((i % 10 + 1)))/text-$(printf '%05d' $((i + 1))).md
slug=$(basename "$rel" .md)

work=$(mktemp -d)
server=
originals=()
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
    for file in "${originals[@]}"; do
        cp "$work/original-$(echo "$file" | md5sum | cut -c1-8)" "$file"
    done
    rm -rf "$work"
}
trap cleanup EXIT

# Keeps a copy of $1 to restore at exit.
keep_original() {
    cp "$1" "$work/original-$(echo "$1" | md5sum | cut -c1-8)"
    originals+=("$1")
}

# Replaces the first occurrence of word $2 in the body of $1 by $3, in place.
replace_word() {
    python3 - "$1" "$2" "$3" <<'EOF'
import re, sys
path, old, new = sys.argv[1:]
text = open(path, encoding="utf-8").read()
head, sep, body = text.partition("\n---\n")
body, count = re.subn(r"\b%s\b" % re.escape(old), new, body, count=1)
if count != 1:
    sys.exit(f"serve.sh: no word {old!r} in {path}")
with open(path, "w", encoding="utf-8") as f:
    f.write(head + sep + body)
EOF
}

# The first word of five letters or more in the first paragraph of $1's body.
first_word() {
    python3 - "$1" <<'EOF'
import re, sys
body = open(sys.argv[1], encoding="utf-8").read().partition("\n---\n")[2]
print(re.search(r"\b[A-Za-z]{5,}\b", body).group(0))
EOF
}

now_ms() { date +%s%3N; }

# Waits until $1 answers 200; fails after $2 seconds.
wait_until_served() {
    local deadline=$(($(date +%s) + $2))
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ]; do
        [ "$(date +%s)" -lt "$deadline" ] || die "$1 was not served within $2 s (log: $log)"
        kill -0 "$server" 2>/dev/null || die "the server stopped (log: $log)"
        sleep 0.1
    done
}

# One edit: opens $url, replaces word $2 of $1 by $3 once the page is up, and
# prints "rebuild_ms browser_ms" (rebuild from the server log via $rebuild_ms).
timed_edit() {
    local file=$1 old=$2 new=$3 ready=$work/ready report=$work/report.json
    rm -f "$ready"
    node "$repo/tests/support/cdp.mjs" --chromium "$chromium" --url "$url" --eval true \
        --ready-file "$ready" --wait-ms 60000 \
        --wait-for "document.body.innerText.includes('$new')" \
        --then-eval "performance.timeOrigin + performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd" \
        >"$report" &
    local browser=$!
    local deadline=$(($(date +%s) + 60))
    until [ -f "$ready" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || die "Chromium did not open $url"
        sleep 0.05
    done
    sleep 1 # the live-reload connection (an EventSource, a WebSocket) opens after load
    local lines t0
    lines=$(wc -l <"$log")
    t0=$(now_ms)
    replace_word "$file" "$old" "$new"
    wait "$browser" || die "the page never showed '$new': $(cat "$report")"
    sleep 0.3 # a second rebuild of the same save, if the watcher gives one
    local shown
    shown=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(round(r["then"] - float(sys.argv[2])))' "$report" "$t0")
    echo "$(tail -n +"$((lines + 1))" "$log" | $rebuild_ms) $shown"
}

scholia_rebuild_ms() { awk '/^rebuilt in [0-9]+ ms/ { ms += $3; kind = kind $4 } END { printf "%d%s", ms, (kind ~ /full/ ? "(full)" : "") }'; }
hugo_rebuild_ms() { awk '/Total in [0-9]+ ms/ { for (i = 1; i < NF; i++) if ($i == "in") ms += $(i + 1) } END { printf "%d", ms }'; }

# Runs the edits against one server; $1 names it, $2 is the file it watches.
run_edits() {
    local name=$1 file=$2 word marker previous
    keep_original "$file"
    word=$(first_word "$file")
    previous=$word
    for e in $(seq 1 "$EDITS"); do
        marker=benchedit$e$RANDOM
        read -r rebuild shown < <(timed_edit "$file" "$previous" "$marker")
        echo "$name $e $rebuild $shown" | tee -a "$work/edits" >&2
        previous=$marker
    done
}

# Starts "$@" as the server, logging to $log, and notes in $work/startup the
# seconds until $url is served under the name $1.
start_server() {
    local name=$1 t0
    shift
    t0=$(now_ms)
    "$@" >"$log" 2>&1 &
    server=$!
    wait_until_served "$url" 600
    echo "$name $(awk -v ms=$(($(now_ms) - t0)) 'BEGIN { printf "%.1fs", ms / 1000 }')" >>"$work/startup"
}

stop_server() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=
}

results=$BENCH_DIR/serve-$(date -u +%Y%m%dT%H%M%SZ).txt
: >"$work/edits"
: >"$work/startup"
{
    echo "# serve at N=$n texts, $entities entities, $(date -u +%FT%TZ); edited: $rel"
    echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB"
    echo "# scholia $("$bin" --version | cut -d' ' -f2)$(command -v hugo >/dev/null && echo ", $(hugo version | cut -d' ' -f1-2)")"
} >"$results"

say "scholia serve"
log=$work/scholia.log url=http://127.0.0.1:$PORT/$slug/ rebuild_ms=scholia_rebuild_ms
start_server scholia env SCHOLIA_TIMINGS=1 "$bin" serve "$in/scholia" -p "$PORT"
run_edits scholia "$in/scholia/$rel"
stop_server
cp "$log" "$BENCH_DIR/serve-scholia.log"

if [ "${HUGO:-1}" != 0 ]; then
    say "hugo server"
    log=$work/hugo.log url=http://127.0.0.1:$((PORT + 1))/$(dirname "${rel#content/}")/$slug/ rebuild_ms=hugo_rebuild_ms
    start_server hugo hugo server -s "$in/hugo" --bind 127.0.0.1 -p $((PORT + 1)) --cacheDir "$work/hugo-cache"
    run_edits hugo "$in/hugo/$rel"
    stop_server
    cp "$log" "$BENCH_DIR/serve-hugo.log"
fi

python3 - "$work/edits" "$work/startup" >>"$results" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
startup = dict(l.split() for l in open(sys.argv[2]))
tools = list(dict.fromkeys(r[0] for r in rows))
def ms(v): return int(v.split("(")[0])
print(f"{'':8} {'first build':>12} {'rebuild median':>15} {'max':>6} {'browser median':>15} {'max':>6}  (ms; {len(rows) // len(tools)} edits)")
med = {}
for t in tools:
    rb = [ms(r[2]) for r in rows if r[0] == t]
    br = [int(r[3]) for r in rows if r[0] == t]
    full = sum("(full)" in r[2] for r in rows if r[0] == t)
    med[t] = (statistics.median(rb), statistics.median(br))
    note = f"  {full} of them full rebuilds" if full else ""
    print(f"{t:8} {startup[t]:>11} {med[t][0]:>15.0f} {max(rb):>6} {med[t][1]:>15.0f} {max(br):>6}{note}")
if "hugo" in med and "scholia" in med:
    s, h = med["scholia"], med["hugo"]
    print(f"hugo / scholia, medians: rebuild {h[0] / max(s[0], 1):.2f}x, browser {h[1] / max(s[1], 1):.2f}x (above 1: scholia is faster)")
EOF
echo "per edit (tool, edit, rebuild ms, browser ms):" >>"$results"
cat "$work/edits" >>"$results"
cat "$results"
say "results in $results"

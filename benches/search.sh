#!/usr/bin/env bash
# Search at scale (issue 7): what the search index costs a build of N texts,
# how large it is, and how fast a reader's queries are answered.
#
#   bash benches/search.sh [N]              (default: 10000)
#
# Generates (or reuses) the edition `benches/gen_edition.py N` in
# $BENCH_DIR/n<N>/ (search off, as the Hugo comparison needs it), makes a copy
# with search on (hard links: the same text files), and builds each once into
# tmpfs ($SHM_DIR), reporting wall and CPU seconds and peak memory. Then it
# reports the index (files and bytes under book/search-index/), serves the
# site on loopback (python3 -m http.server) and, in headless Chromium, types
# each query of $QUERIES into the search page and times it until its first
# page of results shows: the first time (its shards, result files and text
# pages fetched) and again (cached), with the bytes each one fetched (from
# the server's log).
# Results are appended to $BENCH_DIR/search-<date>.txt.
#
# Environment: BENCH_DIR (default target/bench), SHM_DIR (default
# /dev/shm/scholia-bench-search), SEED (default 42), SCHOLIA (a scholia binary
# to time instead of building target/release/scholia), QUERIES (a JSON list;
# default below), CHROMIUM (default: chromium on PATH).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)
BENCH_DIR=${BENCH_DIR:-$repo/target/bench}
SHM_DIR=${SHM_DIR:-/dev/shm/scholia-bench-search}
SEED=${SEED:-42}
QUERIES=${QUERIES:-'["Trotsky", "united front", "proletariat", "Kronstadt sailors", "bureaucracy"]'}
n=${1:-10000}

say() { printf '==> %s\n' "$*" >&2; }

if [ -n "${SCHOLIA:-}" ]; then
    bin=$SCHOLIA
else
    say "cargo build --release"
    cargo build --release --quiet
    bin=$repo/target/release/scholia
fi
for tool in /usr/bin/time node python3 "${CHROMIUM:-chromium}"; do
    command -v "$tool" >/dev/null || { echo "search.sh: needs $tool" >&2; exit 1; }
done
chromium=$(command -v "${CHROMIUM:-chromium}")

mkdir -p "$BENCH_DIR" "$SHM_DIR"
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    rm -rf "$SHM_DIR"
}
trap cleanup EXIT
results=$BENCH_DIR/search-$(date -u +%Y%m%dT%H%M%SZ).txt

in=$BENCH_DIR/n$n
if [ -f "$in/STAMP" ] && grep -q "\"generator\": 3, .*\"n\": $n, \"seed\": $SEED" "$in/STAMP" && ! grep -q '"entities"' "$in/STAMP"; then
    say "reusing the generated edition in $in"
else
    say "generating $n texts into $in"
    python3 "$repo/benches/gen_edition.py" "$n" "$in" --seed "$SEED" >&2
fi
without=$in/scholia with=$in/scholia-search
rm -rf "$with"
cp -al "$without" "$with"
rm "$with/book.toml" # a hard link: write a new file, not through it
sed 's/^enabled = false$/enabled = true/' "$without/book.toml" >"$with/book.toml"
grep -q '^enabled = true$' "$with/book.toml" || { echo "search.sh: cannot turn search on in $with/book.toml" >&2; exit 1; }

# Prints "wall cpu peak_mb" for one build of $1 into $2.
timed_build() {
    local log=$SHM_DIR/time.log
    rm -rf "$2"
    /usr/bin/time -f '%e %U %S %M' -o "$log" "$bin" build "$1" -o "$2" >/dev/null 2>&1
    awk '{ printf "%.2f %.2f %.0f\n", $1, $2 + $3, $4 / 1024 }' "$log"
}

{
    echo "# search at N=$n texts, $(date -u +%FT%TZ)"
    echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB"
    echo "# $("$bin" --version)"
} | tee "$results"

say "building without search"
read -r wall0 cpu0 mem0 < <(timed_build "$without" "$SHM_DIR/plain")
rm -rf "$SHM_DIR/plain"
say "building with search"
read -r wall1 cpu1 mem1 < <(timed_build "$with" "$SHM_DIR/book")
index=$SHM_DIR/book/search-index
files=$(find "$index" -type f | wc -l)
bytes=$(du -sb "$index" | cut -f1)
shards=$(find "$index/t" -type f | wc -l)
largest=$(find "$index/t" -type f -printf '%s\n' | sort -n | tail -1)
{
    printf '%-22s %8s %8s %9s\n' build "wall s" "cpu s" "peak MB"
    printf '%-22s %8s %8s %9s\n' "without search" "$wall0" "$cpu0" "$mem0"
    printf '%-22s %8s %8s %9s\n' "with search" "$wall1" "$cpu1" "$mem1"
    awk -v a="$wall0" -v b="$wall1" 'BEGIN { printf "search adds %.0f%% to the wall time\n", (b - a) / a * 100 }'
    echo "index: $files files, $((bytes / 1024 / 1024)) MB ($shards shards of the word list, the largest $((largest / 1024)) KB; meta.json $(($(stat -c %s "$index/meta.json") / 1024)) KB)"
} | tee -a "$results"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
requests=$SHM_DIR/requests.log
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$SHM_DIR/book" >/dev/null 2>"$requests" &
server=$!
for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$port/search/index.html" >/dev/null && break
    sleep 0.1
done

read -r -d '' measure <<EOF || true
(async () => {
  // Each query is typed into the search page's form, and timed until its
  // first page of results is shown. A marker path is fetched first, so the
  // server's log shows which files each query fetched.
  const mark = (what) => fetch('/__mark__/' + encodeURIComponent(what)).catch(() => {});
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const form = document.querySelector('form.search-form');
  const status = document.getElementById('search-status');
  const list = document.getElementById('search-results');
  const timed = async (round, q) => {
    await mark(round + ' ' + q);
    list.textContent = '';
    status.textContent = '';
    form.elements.q.value = q;
    const t = performance.now();
    form.requestSubmit();
    while (!list.querySelector('li.search-result') && !/Nothing found|could not/.test(status.textContent)) {
      await sleep(1);
    }
    return { ms: performance.now() - t, results: parseInt(status.textContent, 10) || 0 };
  };
  const queries = [];
  for (const q of $QUERIES) {
    queries.push({ q, first: await timed('first', q), again: await timed('again', q) });
  }
  await mark('end');
  return { queries };
})()
EOF

say "querying in headless Chromium"
json=$(node "$repo/tests/support/cdp.mjs" --chromium "$chromium" \
    --url "http://127.0.0.1:$port/search/index.html" --width 1280 --height 900 --eval "$measure")
# The bytes of the index each step fetched, from the server's log: step -> KB.
fetched=$(python3 - "$requests" "$SHM_DIR/book" <<'PY'
import json, os, re, sys, urllib.parse
log, root = sys.argv[1], sys.argv[2]
steps, step = {}, None
for line in open(log, encoding="utf-8", errors="replace"):
    m = re.search(r'"GET (\S+) HTTP', line)
    if not m:
        continue
    path = urllib.parse.unquote(m.group(1).split("?")[0])
    if path.startswith("/__mark__/"):
        step = path[len("/__mark__/"):]
        steps.setdefault(step, 0)
    elif step and os.path.isfile(os.path.join(root, path.lstrip("/"))):
        steps[step] += os.path.getsize(os.path.join(root, path.lstrip("/")))
print(json.dumps({k: round(v / 1024) for k, v in steps.items()}))
PY
)
node -e '
const out = JSON.parse(process.argv[1]), kb = JSON.parse(process.argv[2]);
if (!out.ok) { console.error("search.sh: " + out.error); process.exit(1); }
const v = out.value;
console.log("query                 results  first ms  first KB  again ms  again KB");
for (const q of v.queries) {
  const col = (x, w) => String(x).padStart(w);
  console.log(`${q.q.padEnd(21)} ${col(q.first.results, 7)} ${col(q.first.ms.toFixed(0), 9)} ${col(kb["first " + q.q], 9)} ${col(q.again.ms.toFixed(0), 9)} ${col(kb["again " + q.q], 9)}`);
}' "$json" "$fetched" | tee -a "$results"
say "results appended to $results"

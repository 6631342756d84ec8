#!/usr/bin/env bash
# Archive benchmark: keyhound, Kingfisher and Betterleaks scanning a tree of
# real package archives (.crate, .whl, .tgz from bench/fetch-archives.sh)
# with archive extraction on, alternating runs; medians of wall time, CPU
# time and peak RSS, findings, and each peer's ratio to keyhound.
#
# Usage: bench/archives.sh [DIR] [RUNS]
#   DIR   the archive tree (default /tmp/keyhound-bench/archives; fetched
#         with bench/fetch-archives.sh when absent)
#   RUNS  timed runs of each tool (default 5), after one untimed warm-up
#
# Environment: KEYHOUND_BIN (a keyhound binary; default: cargo build
# --release), PEERS_DIR (passed to get-peers.sh), BENCH_WORK (default
# /tmp/keyhound-bench).
#
# Every tool opens archives: keyhound by default (--archive-depth 3, and
# --max-file-size 256M so the largest wheels are opened too); Kingfisher
# by default (--no-validate --no-update-check, no git history); Betterleaks
# with --max-archive-depth 8 (its default). No tool is pointed at the
# network.
set -euo pipefail

die() { echo "archives.sh: error: $*" >&2; exit 2; }

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(git -C "$bench_dir" rev-parse --show-toplevel) || die "not inside the keyhound repository"
dir=${1:-/tmp/keyhound-bench/archives}
runs=${2:-5}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$runs'"
[ -x /usr/bin/time ] || die "/usr/bin/time is required (Debian: apt-get install time)"
work=${BENCH_WORK:-/tmp/keyhound-bench}/archives-run
mkdir -p "$work"

if [ ! -d "$dir" ] || [ -z "$(ls -A "$dir" 2>/dev/null)" ]; then
    "$bench_dir/fetch-archives.sh" "$dir" >/dev/null
fi
if [ -n "${KEYHOUND_BIN:-}" ]; then
    kh=$KEYHOUND_BIN
else
    (cd "$repo" && cargo build --release --quiet) >&2 || die "cargo build --release failed"
    kh=${CARGO_TARGET_DIR:-$repo/target}/release/keyhound
fi
peer_bin=$("$repo/../shared/tools/get-peers.sh" ${PEERS_DIR:+"$PEERS_DIR"}) || die "get-peers.sh failed"

names=(keyhound)
cmds=("$kh scan $dir --max-file-size 256M --format json --quiet --no-progress -o $work/keyhound.json")
if [ -x "$peer_bin/kingfisher" ]; then
    names+=(kingfisher)
    cmds+=("$peer_bin/kingfisher scan $dir --git-history none --no-validate --no-update-check --format json --output $work/kingfisher.json")
fi
if [ -x "$peer_bin/betterleaks" ]; then
    names+=(betterleaks)
    cmds+=("$peer_bin/betterleaks filesystem $dir --no-banner --max-archive-depth 8 --exit-code 0 --output $work/betterleaks.json")
fi

log=$work/times.txt
: >"$log"
run() { # label, command; exit codes 0-1 (and Kingfisher's 200/205: findings) are success
    local status=0
    # shellcheck disable=SC2086
    /usr/bin/time -f "$1 %e %U %S %M" -a -o "$log" $2 >/dev/null 2>"$work/$1.stderr" || status=$?
    case $status in 0|1|200|205) ;; *) die "$1 exited with $status (see $work/$1.stderr)" ;; esac
}

echo "archives.sh: $(du -sh "$dir" | cut -f1) in $(find "$dir" -type f | wc -l) files; $runs runs of ${names[*]}" >&2
for i in "${!names[@]}"; do run "warmup-${names[$i]}" "${cmds[$i]}"; done
: >"$log"
for r in $(seq "$runs"); do
    # Rotate the starting tool from round to round.
    for k in "${!names[@]}"; do
        i=$(( (k + r) % ${#names[@]} ))
        run "${names[$i]}" "${cmds[$i]}"
    done
done

python3 - "$log" "$work" "$dir" "${names[@]}" <<'EOF'
import json, os, statistics, sys
log, work, tree, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
rows = {}
for line in open(log):
    p = line.split()
    if len(p) == 5 and p[0] in names:
        rows.setdefault(p[0], []).append((float(p[1]), float(p[2]) + float(p[3]), int(p[4])))

def count(name):
    path = os.path.join(work, f"{name}.json")
    try:
        text = open(path).read()
    except OSError:
        return "?"
    try:
        doc = json.loads(text)
    except ValueError:
        return sum(1 for l in text.splitlines() if l.strip().startswith("{"))  # JSON lines
    if isinstance(doc, dict) and "findings" in doc:
        return len(doc["findings"])
    if isinstance(doc, list):
        return len(doc)
    return "?"

size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(tree) for f in fs)
med = {n: tuple(statistics.median(v[i] for v in rows[n]) for i in range(3)) for n in names if n in rows}
base = med["keyhound"]
print(f"{'tool':<12} {'median wall s':>13} {'MB/s':>7} {'median CPU s':>12} {'peak RSS MB':>11} {'wall vs keyhound':>17} {'findings':>9}")
for n, (wall, cpu, rss) in med.items():
    print(f"{n:<12} {wall:>13.2f} {size / 1e6 / wall:>7.1f} {cpu:>12.2f} {rss / 1024:>11.0f} {wall / base[0]:>16.2f}x {count(n):>9}")
print(f"({len(rows['keyhound'])} runs each; {size / 1e6:.0f} MB of archives in {tree})")
EOF

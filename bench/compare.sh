#!/usr/bin/env bash
# Before/after benchmark: times two builds of keyhound on the same tree, runs
# alternating, and prints medians and the ratio.
#
# Usage: bench/compare.sh BEFORE AFTER [TREE_DIR] [RUNS] [-- SCAN_ARGS...]
#   BEFORE, AFTER  each a git revision of this repository (built in a
#                  worktree under $BENCH_WORK/compare, kept for next time) or
#                  the path of a keyhound binary
#   TREE_DIR       tree to scan (default /tmp/keyhound-bench/tree; generate it
#                  with bench/gen-tree.py or bench/scan.sh)
#   RUNS           timed runs of each build (default 15), after one untimed
#                  warm-up each
#   SCAN_ARGS      extra `keyhound scan` arguments for both builds, e.g.
#                  `--decode-depth 0`
#
# Environment: BENCH_WORK (default /tmp/keyhound-bench), BENCH_THREADS (the
# --threads value for both, default: keyhound's own default),
# BENCH_BEFORE_ARGS / BENCH_AFTER_ARGS (extra scan arguments for one side
# only, split on spaces; e.g. BENCH_BEFORE_ARGS="--decode-depth 0" with the
# same binary twice measures what decoding costs).
#
# Runs alternate (before, after, before, ...) so that a machine getting
# slower or faster during the runs affects both the same way. Wall time and
# CPU time (user + system) come from /usr/bin/time; medians are reported.
set -euo pipefail

die() { echo "compare.sh: error: $*" >&2; exit 2; }

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(git -C "$bench_dir" rev-parse --show-toplevel) || die "not inside the keyhound repository"

[ $# -ge 2 ] || die "usage: bench/compare.sh BEFORE AFTER [TREE_DIR] [RUNS] [-- SCAN_ARGS...]"
before=$1 after=$2
shift 2
tree=/tmp/keyhound-bench/tree
runs=15
if [ $# -gt 0 ] && [ "$1" != "--" ]; then tree=$1; shift; fi
if [ $# -gt 0 ] && [ "$1" != "--" ]; then runs=$1; shift; fi
if [ $# -gt 0 ]; then [ "$1" = "--" ] || die "unexpected argument '$1'"; shift; fi
scan_args=("$@")
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$runs'"
[ -d "$tree" ] || die "no tree at $tree (generate one with bench/gen-tree.py)"
[ -x /usr/bin/time ] || die "/usr/bin/time is required (Debian: apt-get install time)"
command -v python3 >/dev/null || die "python3 is required"
work=${BENCH_WORK:-/tmp/keyhound-bench}/compare
mkdir -p "$work"
threads=()
[ -n "${BENCH_THREADS:-}" ] && threads=(--threads "$BENCH_THREADS")

# Prints the path of a release binary for a revision or binary path.
binary_for() {
    local what=$1
    if [ -x "$what" ] && [ -f "$what" ]; then
        echo "$what"
        return
    fi
    local commit
    commit=$(git -C "$repo" rev-parse --verify --quiet "$what^{commit}") || die "'$what' is neither a binary nor a revision"
    local tree_dir=$work/$commit
    if [ ! -x "$tree_dir/target/release/keyhound" ]; then
        if [ ! -d "$tree_dir" ]; then
            git -C "$repo" worktree add --detach "$tree_dir" "$commit" >&2 || die "cannot create a worktree for $what"
        fi
        echo "compare.sh: building $what ($commit) in $tree_dir" >&2
        (cd "$tree_dir" && cargo build --release --quiet) >&2 || die "build of $what failed"
    fi
    echo "$tree_dir/target/release/keyhound"
}

bin_before=$(binary_for "$before")
bin_after=$(binary_for "$after")
log=$work/times.txt
: >"$log"

read -r -a before_args <<<"${BENCH_BEFORE_ARGS:-}"
read -r -a after_args <<<"${BENCH_AFTER_ARGS:-}"

run() {
    local label=$1 bin=$2 status=0
    local side=("${before_args[@]}")
    [[ $label == *after ]] && side=("${after_args[@]}")
    /usr/bin/time -f "$label %e %U %S" -a -o "$log" \
        "$bin" scan "$tree" --format json --quiet --no-progress "${threads[@]}" "${scan_args[@]}" "${side[@]}" -o /dev/null || status=$?
    # 0: no findings, 1: findings; anything else is a failed scan.
    [ "$status" -le 1 ] || die "$label ($bin) exited with $status"
}

echo "compare.sh: $runs runs each on $tree${scan_args:+ (scan ${scan_args[*]})}" >&2
run warmup-before "$bin_before"
run warmup-after "$bin_after"
: >"$log"
for _ in $(seq "$runs"); do
    run before "$bin_before"
    run after "$bin_after"
done

python3 - "$log" "$before" "$after" <<'EOF'
import statistics, sys
log, names = sys.argv[1], {"before": sys.argv[2], "after": sys.argv[3]}
times = {}
for line in open(log):
    parts = line.split()
    if len(parts) == 4 and parts[0] in names:
        label, wall, user, system = parts[0], *map(float, parts[1:])
        times.setdefault(label, []).append((wall, user + system))
if set(times) != {"before", "after"}:
    sys.exit("compare.sh: error: no timings recorded")
med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in times.items()}
print(f"{'build':<8} {'revision':<24} {'median wall s':>14} {'median CPU s':>13}")
for k in ("before", "after"):
    print(f"{k:<8} {names[k][:24]:<24} {med[k][0]:>14.3f} {med[k][1]:>13.3f}")
wall = med["after"][0] / med["before"][0] - 1
cpu = med["after"][1] / med["before"][1] - 1
print(f"after vs before: wall {wall:+.1%}, CPU {cpu:+.1%} ({len(times['after'])} runs each)")
EOF

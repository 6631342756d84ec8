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
# CPU time (user + system) come from the kernel's accounting of each run
# (wait4, to the microsecond); medians are reported, and the median of
# each after run's ratio to the before run just ahead of it.
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
read -r -a before_args <<<"${BENCH_BEFORE_ARGS:-}"
read -r -a after_args <<<"${BENCH_AFTER_ARGS:-}"

common=(scan "$tree" --format json --quiet --no-progress "${threads[@]}" "${scan_args[@]}" -o /dev/null)

echo "compare.sh: $runs runs each on $tree${scan_args:+ (scan ${scan_args[*]})}" >&2
# The runs, timed by the kernel's accounting of the child (wait4: wall to
# the microsecond, CPU to the microsecond), where GNU time's 10 ms steps
# were 4% of a 250 ms scan. Arguments: runs, the two binaries, then the
# scan's arguments for both, then each side's own (counts first).
python3 - "$runs" "$bin_before" "$bin_after" "$before" "$after" \
    "${#common[@]}" "${common[@]}" "${#before_args[@]}" "${before_args[@]}" "${#after_args[@]}" "${after_args[@]}" <<'EOF'
import os, statistics, subprocess, sys, time

runs, bins, names = int(sys.argv[1]), {"before": sys.argv[2], "after": sys.argv[3]}, {"before": sys.argv[4], "after": sys.argv[5]}
rest = sys.argv[6:]
def take(rest):
    n = int(rest[0])
    return rest[1 : 1 + n], rest[1 + n :]
common, rest = take(rest)
side = {}
side["before"], rest = take(rest)
side["after"], rest = take(rest)

def run(label):
    t = time.perf_counter()
    p = subprocess.Popen([bins[label], *common, *side[label]], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    code = os.waitstatus_to_exitcode(status)
    # 0: no findings, 1: findings; anything else is a failed scan.
    if code not in (0, 1):
        sys.exit(f"compare.sh: error: {label} ({bins[label]}) exited with {code}")
    return wall, usage.ru_utime + usage.ru_stime

run("before"), run("after")  # warm-up, untimed
times = {"before": [], "after": []}
for _ in range(runs):
    for label in ("before", "after"):
        times[label].append(run(label))
med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in times.items()}
print(f"{'build':<8} {'revision':<24} {'median wall s':>14} {'median CPU s':>13}")
for k in ("before", "after"):
    print(f"{k:<8} {names[k][:24]:<24} {med[k][0]:>14.4f} {med[k][1]:>13.4f}")
wall = med["after"][0] / med["before"][0] - 1
cpu = med["after"][1] / med["before"][1] - 1
print(f"after vs before: wall {wall:+.1%}, CPU {cpu:+.1%} ({runs} runs each)")
# Each after run against the before run just ahead of it: a machine that
# gets slower or faster during the runs moves both.
pairs = [a[0] / b[0] - 1 for b, a in zip(times["before"], times["after"])]
pairs_cpu = [a[1] / b[1] - 1 for b, a in zip(times["before"], times["after"])]
print(f"median of paired ratios: wall {statistics.median(pairs):+.1%}, CPU {statistics.median(pairs_cpu):+.1%}")
EOF

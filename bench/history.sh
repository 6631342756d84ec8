#!/usr/bin/env bash
# Git-history benchmark: `keyhound history` against gitleaks, Kingfisher and
# Betterleaks on the same repository, plus a 10-commit --range.
#
# Usage: bench/history.sh [REPO] [RUNS]
#   REPO  repository to scan (default /tmp/keyhound-bench/history.git). If it
#         is absent it is generated with bench/gen-history.py (BENCH_COMMITS
#         commits, default 5000; BENCH_FILES files, default 3000; seed
#         BENCH_SEED, default 1) and repacked.
#   RUNS  timed runs per tool (default 3), after one untimed warm-up each.
#
# Environment: BENCH_WORK (logs and results, default /tmp/keyhound-bench),
#              PEERS_DIR (passed to get-peers.sh), KEYHOUND_BIN (use this
#              binary and skip the build).
#
# Each run is `/usr/bin/time -f '%e %M'`: wall seconds and peak RSS. Tools run
# one at a time, round-robin. Prints a table of medians and findings counts.
set -euo pipefail

die() { echo "history.sh: error: $*" >&2; exit 2; }
note() { echo "history.sh: $*" >&2; }

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(git -C "$bench_dir" rev-parse --show-toplevel 2>/dev/null) || root=$(cd "$bench_dir/.." && pwd)
repo=${1:-/tmp/keyhound-bench/history.git}
runs=${2:-3}
work=${BENCH_WORK:-/tmp/keyhound-bench}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$runs'"
[ -x /usr/bin/time ] && /usr/bin/time -f '%e %M' true 2>/dev/null || die "GNU time is required at /usr/bin/time (apt-get install time)"
mkdir -p "$work/logs"

if [ ! -e "$repo" ]; then
  note "generating $repo (${BENCH_COMMITS:-5000} commits)"
  python3 "$bench_dir/gen-history.py" "$repo" --commits "${BENCH_COMMITS:-5000}" --files "${BENCH_FILES:-3000}" \
    --seed "${BENCH_SEED:-1}" --repack || die "gen-history.py failed"
fi
git -C "$repo" rev-parse --git-dir >/dev/null 2>&1 || die "$repo is not a git repository"
repo=$(cd "$repo" && pwd)

if [ -n "${KEYHOUND_BIN:-}" ]; then
  kh=$KEYHOUND_BIN
else
  note "building keyhound"
  (cd "$root" && cargo build --release) >&2 || die "cargo build --release failed"
  kh=${CARGO_TARGET_DIR:-$root/target}/release/keyhound
  case $kh in /*) ;; *) kh=$root/$kh ;; esac
fi

peer_bin=
get_peers=$root/../shared/tools/get-peers.sh
if [ -f "$get_peers" ] && out=$(bash "$get_peers" ${PEERS_DIR:+"$PEERS_DIR"}); then
  peer_bin=$(printf '%s\n' "$out" | tail -n 1)
else
  peer_bin=${PEERS_DIR:-$HOME/.cache/keyhound-peers}/bin
  note "warning: get-peers.sh unavailable or failed; using peers found in $peer_bin"
fi

tools=()
declare -A cmd_of out_of
add_tool() { local name=$1 out=$2; shift 2; tools+=("$name"); out_of[$name]=$out; cmd_of[$name]=$(printf '%q ' "$@"); }
add_tool keyhound "$work/kh.json" "$kh" history "$repo" --format json --output "$work/kh.json" --no-progress
[ -x "$peer_bin/gitleaks" ] && add_tool gitleaks "$work/gl.json" \
  "$peer_bin/gitleaks" git "$repo" --no-banner --report-format json --report-path "$work/gl.json" --exit-code 0
[ -x "$peer_bin/kingfisher" ] && add_tool kingfisher "$work/kf.json" \
  "$peer_bin/kingfisher" scan "$repo" --no-validate --no-update-check --format json --output "$work/kf.json"
[ -x "$peer_bin/betterleaks" ] && add_tool betterleaks "$work/bl.json" \
  "$peer_bin/betterleaks" git "$repo" --no-banner --output "$work/bl.json" --exit-code 0

times=$work/history-times.tsv
: >"$times"
run_tool() { # NAME LABEL
  local name=$1 label=$2 tf=$work/logs/history.$1.$2.time
  rm -f "${out_of[$name]}"
  (cd "$work" && eval "/usr/bin/time -f '%e %M' -o $(printf '%q' "$tf") ${cmd_of[$name]}") >"$work/logs/history.$name.$label.log" 2>&1 || true
  [ -s "${out_of[$name]}" ] || { note "$name ($label) wrote no report (see $work/logs)"; return 1; }
  read -r secs kb < <(tail -n 1 "$tf")
  printf '%s\t%s\t%s\t%s\n' "$name" "$label" "$secs" "$kb" >>"$times"
  note "$(printf '%-12s %-7s %8.2f s %8.1f MB' "$name" "$label" "$secs" "$(awk "BEGIN{print $kb/1024}")")"
}

echo "== keyhound history benchmark"
echo "repo:    $repo ($(git -C "$repo" rev-list --all --count) commits, $(git -C "$repo" count-objects -vH | awk '/size-pack/{print $2, $3}') packed)"
echo "machine: $(nproc) cores, $(uname -srm); runs per tool: $runs (+1 warm-up)"
active=()
for t in "${tools[@]}"; do run_tool "$t" warmup && active+=("$t"); done
: >"$times"
for ((i = 1; i <= runs; i++)); do
  for ((j = 0; j < ${#active[@]}; j++)); do
    t=${active[$(((i - 1 + j) % ${#active[@]}))]}
    run_tool "$t" "run$i" && cp "${out_of[$t]}" "$work/history.$t.report.json"
  done
done

python3 - "$times" "$work" "${active[@]}" <<'PY' | tee "$work/history-results.txt"
import json, statistics, sys
times, work, *tools = sys.argv[1:]
rows = {}
for line in open(times):
    name, _, secs, kb = line.split("\t")
    rows.setdefault(name, []).append((float(secs), int(kb)))
def count(t):
    try:
        d = json.load(open(f"{work}/history.{t}.report.json"))
    except (OSError, ValueError):
        return "?"
    if isinstance(d, dict):
        d = d.get("findings", [])
    return len(d) if isinstance(d, list) else "?"
med = {t: statistics.median(s for s, _ in rows[t]) for t in tools if t in rows}
kh = med.get("keyhound")
print(f"{'tool':<12} {'median s':>9} {'median RSS MB':>14} {'findings':>9} {'peer/keyhound':>14}")
for t in med:
    rss = statistics.median(k for _, k in rows[t]) / 1024
    ratio = "-" if t == "keyhound" or not kh else f"{med[t] / kh:.2f}x"
    print(f"{t:<12} {med[t]:>9.2f} {rss:>14.1f} {count(t):>9} {ratio:>14}")
PY

# A pull-request-sized range: the last ten commits of HEAD's first-parent line.
if base=$(git -C "$repo" rev-parse --verify -q 'HEAD~10'); then
  /usr/bin/time -f '%e %M' -o "$work/logs/range.time" "$kh" history "$repo" --range "$base..HEAD" --format json \
    --output "$work/kh-range.json" --no-progress 2>"$work/logs/range.log" || true
  read -r secs kb < <(tail -n 1 "$work/logs/range.time")
  echo "keyhound --range HEAD~10..HEAD: ${secs}s, $(awk "BEGIN{printf \"%.1f\", $kb/1024}") MB"
fi

#!/usr/bin/env bash
# Directory-scan benchmark: keyhound against gitleaks, Kingfisher and Betterleaks.
#
# Usage: bench/scan.sh [TREE_DIR] [RUNS]
#   TREE_DIR  tree to scan (default /tmp/keyhound-bench/tree). If it is absent
#             or empty it is generated with bench/gen-tree.py (size BENCH_MB,
#             default 300; seed BENCH_SEED, default 1).
#   RUNS      timed runs per tool (default 5), after one untimed warm-up each.
#
# Environment: BENCH_WORK (logs and results, default /tmp/keyhound-bench),
#              BENCH_MB, BENCH_SEED, PEERS_DIR (passed to get-peers.sh),
#              KEYHOUND_BIN (use this binary and skip the build; harness testing only).
#
# Builds keyhound in release mode, installs the peers with
# ../shared/tools/get-peers.sh (relative to the repository root; a missing peer
# is skipped), then times every tool RUNS times round-robin over the same tree,
# one process at a time, measuring wall time and max RSS with /usr/bin/time.
# Prints a table of medians, findings counts, planted keys found and the
# peer/keyhound time ratios. See bench/README.md.
set -euo pipefail

die() { echo "scan.sh: error: $*" >&2; exit 2; }
note() { echo "scan.sh: $*" >&2; }

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(git -C "$bench_dir" rev-parse --show-toplevel 2>/dev/null) || repo=$(cd "$bench_dir/.." && pwd)

tree=${1:-/tmp/keyhound-bench/tree}
runs=${2:-5}
work=${BENCH_WORK:-/tmp/keyhound-bench}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$runs'"
[ $# -le 2 ] || die "usage: bench/scan.sh [TREE_DIR] [RUNS]"

command -v python3 >/dev/null || die "python3 is required (tree generation and result parsing)"
command -v cargo >/dev/null || die "cargo is required to build keyhound"

# --- /usr/bin/time -------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
  note "/usr/bin/time not found; installing GNU time with apt-get"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq >&2 && apt-get install -y -qq time >&2 || die "could not install GNU time (apt-get install time)"
  else
    die "GNU time is missing: run 'apt-get update && apt-get install -y time' as root"
  fi
fi
/usr/bin/time -f '%e %M' true 2>/dev/null || die "/usr/bin/time does not accept -f (need GNU time)"

mkdir -p "$work/logs"
work=$(cd "$work" && pwd)

# --- the tree --------------------------------------------------------------
if [ ! -d "$tree" ] || [ -z "$(ls -A "$tree" 2>/dev/null)" ]; then
  note "generating tree in $tree (${BENCH_MB:-300} MB, seed ${BENCH_SEED:-1})"
  python3 "$bench_dir/gen-tree.py" "$tree" --mb "${BENCH_MB:-300}" --seed "${BENCH_SEED:-1}" \
    || die "gen-tree.py failed"
fi
tree=$(cd "$tree" && pwd)
[ -f "$tree/planted.json" ] || note "warning: $tree/planted.json missing; planted-key recall will not be reported"

# --- keyhound --------------------------------------------------------------
if [ -n "${KEYHOUND_BIN:-}" ]; then
  # for testing the harness itself: use this binary, skip the build
  kh=$KEYHOUND_BIN
  note "KEYHOUND_BIN set: using $kh without building"
else
  note "building keyhound: (cd $repo && cargo build --release)"
  (cd "$repo" && cargo build --release) >&2 || die "cargo build --release failed in $repo"
  kh=${CARGO_TARGET_DIR:-$repo/target}/release/keyhound
  case $kh in /*) ;; *) kh=$repo/$kh ;; esac
fi
[ -x "$kh" ] || die "keyhound binary not found at $kh after the build"

# --- peers -----------------------------------------------------------------
get_peers=$repo/../shared/tools/get-peers.sh
peer_bin=
if [ -f "$get_peers" ]; then
  note "installing peers: bash $get_peers ${PEERS_DIR:-}"
  if out=$(bash "$get_peers" ${PEERS_DIR:+"$PEERS_DIR"}); then
    peer_bin=$(printf '%s\n' "$out" | tail -n 1)
  else
    note "warning: get-peers.sh failed; continuing with whichever peers are already installed"
    peer_bin=${PEERS_DIR:-$HOME/.cache/keyhound-peers}/bin
  fi
else
  note "warning: $get_peers not found; benchmarking keyhound alone"
fi

# --- commands --------------------------------------------------------------
# name | output file | accepted exit codes | command (argv)
tools=()
declare -A out_of ok_codes cmd_of
add_tool() { # name output codes argv...
  local name=$1 out=$2 codes=$3; shift 3
  tools+=("$name"); out_of[$name]=$out; ok_codes[$name]=$codes
  cmd_of[$name]=$(printf '%q ' "$@")
}
add_tool keyhound /tmp/kh.json "0 1" \
  "$kh" scan "$tree" --format json --output /tmp/kh.json --no-ignore
if [ -n "$peer_bin" ]; then
  if [ -x "$peer_bin/gitleaks" ]; then
    add_tool gitleaks /tmp/gl.json "0" \
      "$peer_bin/gitleaks" dir "$tree" --no-banner --report-format json --report-path /tmp/gl.json --exit-code 0
  else note "warning: gitleaks not installed in $peer_bin; skipped"; fi
  if [ -x "$peer_bin/kingfisher" ]; then
    # Offline: no validation, no update check. Exit 200/205 = findings.
    add_tool kingfisher /tmp/kf.json "0 200 205" \
      "$peer_bin/kingfisher" scan "$tree" --git-history none --no-validate --no-update-check --format json --output /tmp/kf.json
  else note "warning: kingfisher not installed in $peer_bin; skipped"; fi
  if [ -x "$peer_bin/betterleaks" ]; then
    # 'betterleaks dir' does not exist in 2.0.0-rc.4: 'filesystem' is the directory scan.
    # Validation is off unless --validate/--analyze is given.
    add_tool betterleaks /tmp/bl.json "0" \
      "$peer_bin/betterleaks" filesystem "$tree" --no-banner --output /tmp/bl.json --exit-code 0
  else note "warning: betterleaks not installed in $peer_bin; skipped"; fi
fi

times_file=$work/times.tsv
: >"$times_file"

# run_tool NAME LABEL: runs the command once under /usr/bin/time from $work,
# checks the exit code and the output file, appends "name label secs kb" to times.tsv.
run_tool() {
  local name=$1 label=$2 log=$work/logs/$1.$2.log tf=$work/logs/$1.$2.time rc
  rm -f "${out_of[$name]}"
  set +e
  (cd "$work" && eval "/usr/bin/time -f '%e %M' -o $(printf '%q' "$tf") ${cmd_of[$name]}") >"$log" 2>&1
  rc=$?
  set -e
  if [[ " ${ok_codes[$name]} " != *" $rc "* ]]; then
    echo "scan.sh: $name ($label) exited with status $rc; last lines of $log:" >&2
    tail -n 15 "$log" >&2
    return 1
  fi
  [ -s "${out_of[$name]}" ] || { echo "scan.sh: $name ($label) wrote no report to ${out_of[$name]} (log: $log)" >&2; return 1; }
  local secs kb
  read -r secs kb < <(tail -n 1 "$tf")
  printf '%s\t%s\t%s\t%s\n' "$name" "$label" "$secs" "$kb" >>"$times_file"
  printf '  %-12s %-7s %8.2f s %8.1f MB  (exit %s)\n' "$name" "$label" "$secs" "$(awk "BEGIN{print $kb/1024}")" "$rc" >&2
}

tree_files=$(find "$tree" -type f | wc -l)
tree_bytes=$(find "$tree" -type f -printf '%s\n' | awk '{s+=$1} END{print s+0}')
echo "== keyhound directory-scan benchmark"
echo "tree:    $tree ($tree_files files, $(awk "BEGIN{printf \"%.1f\", $tree_bytes/1e6}") MB)"
echo "machine: $(nproc) cores, $(uname -srm); runs per tool: $runs (+1 warm-up), round-robin"
echo "commands (run from $work, each under /usr/bin/time -f '%e %M'):"
for t in "${tools[@]}"; do echo "  $t: ${cmd_of[$t]}"; done
echo

# Share of CPU time used by other processes over one second (we run nothing meanwhile).
cpu_busy() {
  local a b
  a=($(head -n 1 /proc/stat)); sleep 1; b=($(head -n 1 /proc/stat))
  local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
  echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}
check_quiet() { # LABEL
  local busy
  busy=$(cpu_busy 2>/dev/null || echo 0)
  if [ "$busy" -gt 15 ]; then
    note "warning: other processes used ${busy}% of the CPU just before $1; timings will be noisy"
    echo "warning: background CPU use ${busy}% before $1 (timings may be noisy)"
  fi
}

# --- warm-up ---------------------------------------------------------------
check_quiet "the warm-up"
note "warm-up (untimed; also fills the page cache)"
active=()
for t in "${tools[@]}"; do
  if run_tool "$t" warmup; then
    active+=("$t")
  elif [ "$t" = keyhound ]; then
    die "keyhound failed during warm-up"
  else
    note "warning: dropping $t after a failed warm-up"
  fi
done
: >"$times_file"

# --- timed runs, round-robin, rotating the start each round ----------------
n=${#active[@]}
for ((i = 1; i <= runs; i++)); do
  check_quiet "round $i"
  note "round $i/$runs"
  for ((j = 0; j < n; j++)); do
    t=${active[$(((i - 1 + j) % n))]}
    run_tool "$t" "run$i" || die "$t failed in timed run $i (see $work/logs)"
    # keep the last timed run's report for the findings count
    cp "${out_of[$t]}" "$work/$t.report.json"
  done
done

# --- table -----------------------------------------------------------------
echo
python3 - "$times_file" "$tree" "$work" "${active[@]}" <<'PY' | tee "$work/results.txt"
import json, os, statistics, sys

times_file, tree, work, *tools = sys.argv[1:]
rows = {}
for line in open(times_file):
    name, label, secs, kb = line.split("\t")
    rows.setdefault(name, []).append((float(secs), int(kb)))

PATH_KEYS = ("path", "file", "File", "filename", "file_path", "filepath")
LINE_KEYS = ("line", "start_line", "StartLine", "line_number", "lineNumber", "startLine")
END_KEYS = ("end_line", "EndLine", "endLine")

def walk(o, acc):
    """Collect (path, start, end) from every dict that names a path and a line."""
    if isinstance(o, dict):
        p = next((o[k] for k in PATH_KEYS if isinstance(o.get(k), str)), None)
        ln = next((o[k] for k in LINE_KEYS if isinstance(o.get(k), int)), None)
        if p is not None and ln is not None:
            end = next((o[k] for k in END_KEYS if isinstance(o.get(k), int)), ln)
            acc.append((p, ln, end))
            return
        for v in o.values():
            walk(v, acc)
    elif isinstance(o, list):
        for v in o:
            walk(v, acc)

def findings(path):
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except OSError:
        return None
    try:
        docs = [json.loads(text)]
    except ValueError:  # maybe JSON Lines
        try:
            docs = [json.loads(l) for l in text.splitlines() if l.strip()]
        except ValueError:
            return None
    acc = []
    for d in docs:
        walk(d, acc)
    out = []
    for p, a, b in acc:
        if os.path.isabs(p):
            p = os.path.relpath(p, tree)
        elif p.startswith(tree.lstrip("/")):
            p = os.path.relpath("/" + p, tree)
        out.append((os.path.normpath(p), a, b))
    return out

planted = []
try:
    planted = json.load(open(os.path.join(tree, "planted.json")))
except (OSError, ValueError):
    pass

def recall(found):
    by_path = {}
    for p, a, b in found:
        by_path.setdefault(p, []).append((a, b))
    hit = 0
    missed = []
    for m in planted:
        if any(a <= m["end_line"] and b >= m["line"] for a, b in by_path.get(m["path"], [])):
            hit += 1
        else:
            missed.append(m["kind"])
    return hit, missed

med = {t: statistics.median(s for s, _ in rows[t]) for t in tools}
kh = med.get("keyhound")
hdr = f"{'tool':<12} {'median s':>9} {'min s':>7} {'max s':>7} {'median RSS MB':>14} {'findings':>9} {'planted':>8}  {'peer/keyhound':>13}"
print(hdr)
print("-" * len(hdr))
missed_lines = []
for t in tools:
    secs = [s for s, _ in rows[t]]
    rss = statistics.median(k for _, k in rows[t]) / 1024
    f = findings(os.path.join(work, f"{t}.report.json"))
    nf = str(len(f)) if f is not None else "?"
    if f is not None and planted:
        hit, missed = recall(f)
        pl = f"{hit}/{len(planted)}"
        if missed:
            missed_lines.append(f"  {t} missed: " + ", ".join(sorted(missed)))
    else:
        pl = "?"
    ratio = "-" if t == "keyhound" else f"{med[t] / kh:.2f}x"
    print(f"{t:<12} {med[t]:>9.2f} {min(secs):>7.2f} {max(secs):>7.2f} {rss:>14.1f} {nf:>9} {pl:>8}  {ratio:>13}")
print()
print("per-run wall seconds:")
for t in tools:
    print(f"  {t:<12} " + " ".join(f"{s:.2f}" for s, _ in rows[t]))
if missed_lines:
    print("planted keys not reported (by kind):")
    print("\n".join(missed_lines))
peers = [t for t in tools if t != "keyhound"]
print()
if peers:
    fastest = min(peers, key=lambda t: med[t])
    print(f"keyhound vs fastest peer: {med[fastest] / kh:.2f}x  (fastest peer: {fastest}, {med[fastest]:.2f} s vs keyhound {kh:.2f} s; >1 means keyhound is faster)")
else:
    print("keyhound vs fastest peer: n/a (no peers ran)")
PY
note "logs and reports in $work (results.txt, times.tsv, logs/, *.report.json)"

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
#              BENCH_QUIET_WAIT (s to wait for an idle CPU before each run, default 120),
#              BENCH_MAX_BG (% of CPU others may use during a run, default 10),
#              BENCH_RETRIES (repeats of a noisy run, default 1),
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
  "$kh" scan "$tree" --format json --output /tmp/kh.json
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

# CPU accounting from /proc/stat: busy and total ticks of all CPUs.
cpu_ticks() { awk 'NR == 1 { print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9 }' /proc/stat; }
clk_tck=$(getconf CLK_TCK 2>/dev/null || echo 100)
max_bg=${BENCH_MAX_BG:-10}          # % of all CPUs used by others during a run
quiet_wait=${BENCH_QUIET_WAIT:-120} # seconds to wait for an idle machine before each run
retries=${BENCH_RETRIES:-1}         # repeats of a run that shared the CPU with others
[[ $retries =~ ^[0-9]+$ ]] || die "BENCH_RETRIES must be a non-negative integer"

# Percentage of CPU used by other processes over one second (we run nothing meanwhile).
cpu_busy() {
  local b0 t0 b1 t1
  read -r b0 t0 < <(cpu_ticks); sleep 1; read -r b1 t1 < <(cpu_ticks)
  echo $(( t1 > t0 ? 100 * (b1 - b0) / (t1 - t0) : 0 ))
}
# wait_quiet LABEL: wait (up to $quiet_wait s) until others use < 15% of the CPU.
wait_quiet() {
  local busy waited=0 warned=
  while busy=$(cpu_busy) && [ "$busy" -ge 15 ]; do
    if [ -z "$warned" ]; then note "waiting for the machine to go quiet before $1 (${busy}% CPU in use by other processes)"; warned=1; fi
    waited=$((waited + 1))
    if [ "$waited" -ge "$quiet_wait" ]; then
      note "warning: still ${busy}% busy after ${quiet_wait}s; running $1 anyway"
      return 0
    fi
  done
  if [ -n "$warned" ]; then note "quiet after ${waited}s"; fi
}

tree_files=$(find "$tree" -type f | wc -l)
tree_bytes=$(find "$tree" -type f -printf '%s\n' | awk '{s+=$1} END{print s+0}')
echo "== keyhound directory-scan benchmark"
echo "tree:    $tree ($tree_files files, $(awk "BEGIN{printf \"%.1f\", $tree_bytes/1e6}") MB)"
echo "machine: $(nproc) cores, $(uname -srm); runs per tool: $runs (+1 warm-up), round-robin"
echo "commands (run from $work, each under /usr/bin/time -f '%e %M %U %S'):"
for t in "${tools[@]}"; do echo "  $t: ${cmd_of[$t]}"; done
echo "noise:   before each run wait up to ${quiet_wait}s for <15% background CPU; repeat a run during which others used >${max_bg}% of the CPU up to ${retries}x"
echo

times_file=$work/times.tsv
: >"$times_file"

# run_tool NAME LABEL: runs the command once under /usr/bin/time from $work and
# checks the exit code and the report file. Sets RUN_LINE to
# "name label wall_s maxrss_kb cpu_s bg_pct" and RUN_BG to bg_pct, where cpu_s
# is the tool's user+system time and bg_pct the share of all CPUs that other
# processes used during the run (0 on a quiet machine).
run_tool() {
  local name=$1 label=$2 log=$work/logs/$1.$2.log tf=$work/logs/$1.$2.time rc b0 t0 b1 t1
  rm -f "${out_of[$name]}"
  read -r b0 t0 < <(cpu_ticks)
  set +e
  (cd "$work" && eval "/usr/bin/time -f '%e %M %U %S' -o $(printf '%q' "$tf") ${cmd_of[$name]}") >"$log" 2>&1
  rc=$?
  set -e
  read -r b1 t1 < <(cpu_ticks)
  if [[ " ${ok_codes[$name]} " != *" $rc "* ]]; then
    echo "scan.sh: $name ($label) exited with status $rc; last lines of $log:" >&2
    tail -n 15 "$log" >&2
    return 1
  fi
  [ -s "${out_of[$name]}" ] || { echo "scan.sh: $name ($label) wrote no report to ${out_of[$name]} (log: $log)" >&2; return 1; }
  local secs kb usr sys
  read -r secs kb usr sys < <(tail -n 1 "$tf")
  local cpu
  read -r cpu RUN_BG < <(awk -v u="$usr" -v y="$sys" -v busy=$((b1 - b0)) -v tot=$((t1 - t0)) 'BEGIN {
      cpu = u + y; bg = (tot > 0) ? 100 * (busy - cpu * '"$clk_tck"') / tot : 0; if (bg < 0) bg = 0
      printf "%.2f %.0f\n", cpu, bg }')
  RUN_LINE=$(printf '%s\t%s\t%s\t%s\t%s\t%s' "$name" "$label" "$secs" "$kb" "$cpu" "$RUN_BG")
  printf '  %-12s %-7s %8.2f s wall %8.2f s cpu %8.1f MB  bg %3s%%  (exit %s)\n' "$name" "$label" "$secs" \
    "$cpu" "$(awk "BEGIN{print $kb/1024}")" "$RUN_BG" "$rc" >&2
}

# --- warm-up ---------------------------------------------------------------
wait_quiet "the warm-up"
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

# --- timed runs, round-robin, rotating the start each round ----------------
# Before each run, wait (up to $quiet_wait s) for other processes to go quiet.
# A run during which they used more than $max_bg% of the CPU is discarded and
# repeated (up to $retries times); if it is still noisy it is kept and flagged.
n=${#active[@]}
for ((i = 1; i <= runs; i++)); do
  note "round $i/$runs"
  for ((j = 0; j < n; j++)); do
    t=${active[$(((i - 1 + j) % n))]}
    for ((attempt = 0; ; attempt++)); do
      wait_quiet "$t run $i"
      run_tool "$t" "run$i" || die "$t failed in timed run $i (see $work/logs)"
      if [ "$RUN_BG" -le "$max_bg" ] || [ "$attempt" -ge "$retries" ]; then break; fi
      note "  discarding $t run $i: other processes used ${RUN_BG}% of the CPU during it; repeating"
    done
    printf '%s\n' "$RUN_LINE" >>"$times_file"
    # keep the last timed run's report for the findings count
    cp "${out_of[$t]}" "$work/$t.report.json"
  done
done

# --- table -----------------------------------------------------------------
echo
python3 - "$times_file" "$tree" "$work" "$max_bg" "${active[@]}" <<'PY' | tee "$work/results.txt"
import json, os, statistics, sys

times_file, tree, work, max_bg, *tools = sys.argv[1:]
max_bg = float(max_bg)
rows = {}
for line in open(times_file):
    name, label, secs, kb, cpu, bg = line.rstrip("\n").split("\t")
    rows.setdefault(name, []).append((float(secs), int(kb), float(cpu), float(bg)))

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

med = {t: statistics.median(r[0] for r in rows[t]) for t in tools}
kh = med.get("keyhound")
hdr = (f"{'tool':<12} {'median s':>9} {'min s':>7} {'max s':>7} {'CPU s':>7} {'RSS MB':>7} "
       f"{'findings':>9} {'planted':>8}  {'peer/keyhound':>13}")
print(hdr)
print("-" * len(hdr))
missed_lines = []
for t in tools:
    secs = [r[0] for r in rows[t]]
    rss = statistics.median(r[1] for r in rows[t]) / 1024
    cpu = statistics.median(r[2] for r in rows[t])
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
    print(f"{t:<12} {med[t]:>9.2f} {min(secs):>7.2f} {max(secs):>7.2f} {cpu:>7.2f} {rss:>7.1f} {nf:>9} {pl:>8}  {ratio:>13}")
print("(median over runs of wall time, user+system CPU time and peak RSS; findings and planted from the last run)")
print()
print("per-run wall seconds (* = other processes used > %g%% of the CPU during the run):" % max_bg)
noisy = 0
for t in tools:
    cells = []
    for s, _, _, bg in rows[t]:
        cells.append(f"{s:.2f}" + ("*" if bg > max_bg else ""))
        noisy += bg > max_bg
    print(f"  {t:<12} " + " ".join(cells))
if noisy:
    print(f"warning: {noisy} timed run(s) shared the CPU with other processes; rerun on an idle machine")
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

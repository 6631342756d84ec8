#!/usr/bin/env bash
# `keyhound history --state` on git/git: a first run that fills the state,
# then 100 new commits, then the second run (from a copy of the first run's
# state, RUNS times, alternating with a stateless scan of the same
# repository), and a check that both report identical findings.
#
#   bench/incremental.sh /path/to/git.git [RUNS]
#
# The repository given is never modified: it is cloned (bare, no hard
# links) under $BENCH_WORK, and the 100 commits are made in that clone
# (each appends a line to a C file and adds a 600-byte text file).
# Prints wall and CPU time (user + sys) of every run, the medians, the
# bytes each run read, and the state's size.
set -euo pipefail
src=${1:?usage: bench/incremental.sh /path/to/git.git [RUNS]}
runs=${2:-3}
work=${BENCH_WORK:-/tmp/keyhound-bench-incremental}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${KEYHOUND_BIN:-}
if [ -z "$bin" ]; then
    (cd "$root" && cargo build --release --quiet)
    bin=$root/target/release/keyhound
fi
rm -rf "$work" && mkdir -p "$work"
git clone -q --bare --no-hardlinks "$src" "$work/repo.git"
head=$(git -C "$work/repo.git" symbolic-ref --short HEAD)

timed() { # label, output file, args...
    local label=$1 out=$2; shift 2
    /usr/bin/time -f "%e %U %S" -o "$work/time" "$bin" history "$work/repo.git" --no-progress --format json --show-secrets "$@" \
        >"$out" 2>"$work/stderr" || [ $? -eq 1 ]
    # GNU time writes "Command exited with non-zero status 1" first.
    read -r wall user sys < <(tail -n 1 "$work/time")
    bytes=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["bytes"], s.get("reused", 0))' "$out")
    printf '%-12s wall %7.2fs  cpu %7.2fs  bytes read %13s  blobs remembered %s\n' "$label" "$wall" "$(echo "$user + $sys" | bc)" $bytes
    echo "$label $wall $(echo "$user + $sys" | bc)" >>"$work/times"
}

echo "== first run (fills the state)"
timed first "$work/first.json" --state "$work/state-first"
du -sh "$work/state-first" | sed 's/^/state: /'

echo "== 100 new commits on $head"
git -C "$work/repo.git" worktree add -q "$work/wt" "$head"
(
    cd "$work/wt"
    mapfile -t files < <(git ls-files '*.c' | head -400)
    for i in $(seq 1 100); do
        f=${files[$((i * 3 % ${#files[@]}))]}
        echo "/* change $i: $(head -c 30 /dev/urandom | base64 | tr -d '/+=') */" >>"$f"
        printf 'notes for change %s\n%s\n' "$i" "$(head -c 600 /dev/urandom | base64)" >"Documentation/notes-$i.txt"
        git add -A >/dev/null
        git -c user.name=Bench -c user.email=bench@example.com -c commit.gpgsign=false commit -qm "change $i"
    done
)

echo "== second run (from the first run's state) and a stateless run, alternately"
for t in $(seq 1 "$runs"); do
    rm -rf "$work/state" && cp -a "$work/state-first" "$work/state"
    timed "second" "$work/second.json" --state "$work/state"
    timed "stateless" "$work/stateless.json"
done
python3 - "$work" <<'PY'
import json, statistics, sys
work = sys.argv[1]
rows = [l.split() for l in open(f"{work}/times")]
for label in ("second", "stateless"):
    wall = statistics.median(float(r[1]) for r in rows if r[0] == label)
    cpu = statistics.median(float(r[2]) for r in rows if r[0] == label)
    print(f"median {label:<10} wall {wall:7.2f}s  cpu {cpu:7.2f}s")
second = [r for r in rows if r[0] == "second"]
full = [r for r in rows if r[0] == "stateless"]
ratio = statistics.median(float(r[1]) for r in second) / statistics.median(float(r[1]) for r in full)
cpu_ratio = statistics.median(float(r[2]) for r in second) / statistics.median(float(r[2]) for r in full)
print(f"second run / full scan: {ratio:.1%} of the wall time, {cpu_ratio:.1%} of the CPU time")
a = json.load(open(f"{work}/second.json"))["findings"]
b = json.load(open(f"{work}/stateless.json"))["findings"]
print("identical findings:", a == b, f"({len(a)} findings)")
sys.exit(0 if a == b else 1)
PY

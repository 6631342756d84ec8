#!/usr/bin/env python3
"""Generate a synthetic git history for the keyhound history benchmark.

    bench/gen-history.py OUT_DIR [--commits 5000] [--files 3000] [--seed 1] [--force]
                                 [--repack] [--max-file-bytes 120000] [--min-file-bytes 0]

Writes a bare repository at OUT_DIR with `git fast-import`: a code-like
initial tree of --files files (content from bench/gen-tree.py's generators),
then --commits commits on `main`, each editing a few files (replacing blocks
of lines), now and then adding, deleting or renaming one. Every ~40 commits a
short topic branch is merged back with a merge commit; a few topic branches
are left unmerged, and a few commits are tagged.

About one commit in 250 plants a fake credential (built at run time with the
structure of the real formats; this script holds no key-shaped literal) into
a file; half of them are removed again some commits later, and some are
written while resolving a merge. Their locations are written to
OUT_DIR/planted.json as {"commit_index", "branch", "path", "kind", "removed"}.

With --repack the repository is repacked afterwards (`git repack -adf`), as a
fetched clone would be; otherwise it keeps fast-import's pack.

Output is deterministic for given arguments and Python version.
"""

import argparse
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("gen_tree", os.path.join(HERE, "gen-tree.py"))
gt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gt)

EXTS = [e for e, _ in gt.LANG_WEIGHTS]
WEIGHTS = [w for _, w in gt.LANG_WEIGHTS]
KEY_MAKERS = [
    ("openai-project", gt.openai_project, 'OPENAI_API_KEY = "{}"'),
    ("openai-legacy", gt.openai_legacy, "OPENAI_API_KEY={}"),
    ("anthropic", gt.anthropic_key, 'anthropic_key: "{}"'),
    ("github-pat", gt.github_pat, "export GITHUB_TOKEN={}"),
    ("slack-bot", gt.slack_bot, 'SLACK_TOKEN = "{}"'),
    ("aws-key-id", gt.aws_key_id, "aws_access_key_id = {}"),
]


class History:
    def __init__(self, out, rng, g, pools):
        self.r, self.g, self.pools = rng, g, pools
        self.proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=out, stdin=subprocess.PIPE)
        self.w = self.proc.stdin
        self.mark = 0
        self.clock = 1_300_000_000
        self.commits = 0
        self.bytes = 0
        self.manifest = []
        self.pending_removals = []  # (due commit, path, line text)
        self.max_file_bytes = 120_000
        self.min_file_bytes = 0

    # -- stream -------------------------------------------------------------
    def data(self, b):
        self.w.write(b"data %d\n" % len(b))
        self.w.write(b)
        self.w.write(b"\n")

    def commit(self, branch, files, changed, deleted, parents, message, author=None):
        """files: the branch's dict path -> bytes after the commit; changed:
        paths to write; deleted: paths removed."""
        self.mark += 1
        self.clock += self.r.randint(60, 20_000)
        name, email = author or self.r.choice(AUTHORS)
        w = self.w
        w.write(b"commit refs/heads/%s\nmark :%d\n" % (branch.encode(), self.mark))
        tz = self.r.choice([b"+0000", b"-0700", b"+0200", b"+0530"])
        w.write(b"author %s <%s> %d %s\n" % (name.encode(), email.encode(), self.clock, tz))
        w.write(b"committer %s <%s> %d %s\n" % (name.encode(), email.encode(), self.clock, tz))
        self.data(message.encode())
        if parents:
            w.write(b"from :%d\n" % parents[0])
            for p in parents[1:]:
                w.write(b"merge :%d\n" % p)
        for p in deleted:
            w.write(b"D %s\n" % p.encode())
        for p in changed:
            w.write(b"M 100644 inline %s\n" % p.encode())
            self.data(files[p])
            self.bytes += len(files[p])
        w.write(b"\n")
        self.commits += 1
        return self.mark

    def tag(self, name, mark):
        self.w.write(b"reset refs/tags/%s\nfrom :%d\n\n" % (name.encode(), mark))

    def close(self):
        self.w.write(b"done\n")
        self.w.close()
        if self.proc.wait() != 0:
            sys.exit("gen-history: git fast-import failed")

    # -- content ------------------------------------------------------------
    def dirs(self):
        """A fixed directory layout, like a real project's: some files at
        the top, one large test directory, a few dozen others with a level
        or two of subdirectories."""
        if not hasattr(self, "_dirs"):
            r, g = self.r, self.g
            tops = sorted({g.word() for _ in range(40)})
            dirs = [("", 12), ("t", 25)]
            for t in tops:
                dirs.append((t, 1))
                for _ in range(r.choice([0, 0, 1, 2, 4])):
                    sub = f"{t}/{g.word()}"
                    dirs.append((sub, 0.6))
                    if r.random() < 0.3:
                        dirs.append((f"{sub}/{g.word()}", 0.3))
            self._dirs = ([d for d, _ in dirs], [w for _, w in dirs])
        return self._dirs

    def new_file(self, files, ext=None):
        ext = ext or self.r.choices(EXTS, WEIGHTS)[0]
        names, weights = self.dirs()
        d = self.r.choices(names, weights)[0]
        path = f"{d}/{self.g.snake(1, 2)}.{ext}".lstrip("/")
        while path in files:
            path = path[:-len(ext) - 1] + "_" + self.g.word() + "." + ext
        size = min(max(gt.file_size(self.r), self.min_file_bytes), self.max_file_bytes)
        return path, gt.make_text(ext, size, self.g, self.r, self.pools).encode()

    def edit(self, content, path):
        """Replace one to three runs of lines with fresh lines of the same kind."""
        ext = path.rsplit(".", 1)[-1]
        if ext not in self.pools:
            ext = "txt"
        lines = content.split(b"\n")
        for _ in range(self.r.randint(1, 3)):
            if len(lines) < 4:
                break
            a = self.r.randrange(len(lines))
            b = min(len(lines), a + self.r.randint(0, 12))
            block = self.r.choice(self.pools[ext][0]).encode().split(b"\n")
            lines[a:b] = block[: self.r.randint(1, max(1, len(block)))]
        out = b"\n".join(lines)
        if len(out) > 2 * self.max_file_bytes:
            # keep files from growing without bound over long histories
            out = out[: self.max_file_bytes].rsplit(b"\n", 1)[0] + b"\n"
        return out

    def plant(self, files, path, branch, removed_after=None):
        kind, make, fmt = self.r.choice(KEY_MAKERS)
        line = fmt.format(make(self.g)).encode()
        lines = files[path].split(b"\n")
        pos = self.r.randint(0, len(lines))
        lines.insert(pos, line)
        files[path] = b"\n".join(lines)
        self.manifest.append({"commit_index": self.commits, "branch": branch, "path": path, "kind": kind,
                              "removed": removed_after is not None})
        if removed_after is not None:
            self.pending_removals.append((self.commits + removed_after, path, line))


AUTHORS = [("Ada Lovelace", "ada@example.com"), ("Grace Hopper", "grace@example.org"),
           ("Linus Example", "linus@example.net"), ("Ken Sample", "ken@example.com"),
           ("Barbara Test", "barbara@example.io"), ("Dennis Demo", "dennis@example.dev")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--commits", type=int, default=5000)
    ap.add_argument("--files", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--repack", action="store_true")
    ap.add_argument("--max-file-bytes", type=int, default=120_000,
                    help="cap on generated file sizes (small values make long histories quick to build)")
    ap.add_argument("--min-file-bytes", type=int, default=0,
                    help="floor on generated file sizes (large values: few big, often-edited files, like .po files)")
    a = ap.parse_args()

    out = os.path.abspath(a.out)
    if os.path.exists(out) and os.listdir(out):
        if not a.force:
            sys.exit(f"gen-history: {out} exists and is not empty (use --force to replace it)")
        shutil.rmtree(out)
    os.makedirs(out, exist_ok=True)
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", out], check=True)

    t0 = time.time()
    rng = random.Random(a.seed)
    g = gt.Gen(rng)
    pools = gt.block_pools(g)
    h = History(out, rng, g, pools)
    h.max_file_bytes = a.max_file_bytes
    h.min_file_bytes = a.min_file_bytes

    files = {}
    for _ in range(a.files):
        p, c = h.new_file(files)
        files[p] = c
    tip = h.commit("main", files, sorted(files), [], [], "Initial import")
    topics = 0

    def step(branch, files, parents, plant_rate=1 / 250):
        """One ordinary commit on `branch`; returns its mark."""
        changed, deleted = set(), []
        r = h.r
        names = sorted(files)
        hot = [p for p in names if zlib.crc32(p.encode()) % 10 == 0] or names
        for _ in range(r.choice([1, 1, 2, 2, 3, 4])):
            # most edits go to a tenth of the files (a stable "hot" set)
            p = r.choice(hot) if r.random() < 0.7 else r.choice(names)
            files[p] = h.edit(files[p], p)
            changed.add(p)
        k = r.random()
        if k < 0.04:
            p, c = h.new_file(files)
            files[p] = c
            changed.add(p)
        elif k < 0.06 and len(files) > 100:
            p = r.choice(list(files))
            if p not in changed:
                del files[p]
                deleted.append(p)
        elif k < 0.08 and len(files) > 100:
            p = r.choice(list(files))
            if p not in changed:
                q = p.rsplit("/", 1)[0] + "/" + g.snake(1, 2) + "." + p.rsplit(".", 1)[-1]
                if q not in files:
                    files[q] = files.pop(p)
                    deleted.append(p)
                    changed.add(q)
        if r.random() < plant_rate:
            p = r.choice([x for x in files if x not in deleted])
            h.plant(files, p, branch, removed_after=r.randint(5, 300) if r.random() < 0.5 else None)
            changed.add(p)
        for due, p, line in list(h.pending_removals):
            if due <= h.commits and p in files and line in files[p]:
                files[p] = files[p].replace(line + b"\n", b"").replace(line, b"")
                changed.add(p)
                h.pending_removals.remove((due, p, line))
        return h.commit(branch, files, sorted(changed), deleted, parents, g.sentence(3, 8))

    n = 1
    while n < a.commits:
        if rng.random() < 1 / 40 and n + 8 < a.commits:
            # a topic branch, merged back (or, one time in eight, left unmerged)
            topics += 1
            name = f"topic/{g.kebab(1, 2)}-{topics}"
            tfiles = dict(files)
            before = dict(files)
            ttip = tip
            for _ in range(rng.randint(2, 6)):
                ttip = step(name, tfiles, [ttip])
                n += 1
            if rng.random() < 1 / 8:
                continue
            # main moves on meanwhile
            tip = step("main", files, [tip])
            n += 1
            # merge: topic's changes over main's (no conflicts: topic wins)
            changed = [p for p in tfiles if before.get(p) is not tfiles[p] and files.get(p) is before.get(p)]
            for p in changed:
                files[p] = tfiles[p]
            deleted = [p for p in before if p not in tfiles and p in files]
            for p in deleted:
                del files[p]
            if rng.random() < 0.1:
                p = rng.choice(list(files))
                h.plant(files, p, "main")
                changed.append(p)
            tip = h.commit("main", files, sorted(set(changed)), deleted, [tip, ttip], f"Merge branch '{name}'")
            n += 1
        else:
            tip = step("main", files, [tip])
            n += 1
        if n % 500 == 0:
            h.tag(f"v{n // 500}.0", tip)
    h.close()

    if a.repack:
        subprocess.run(["git", "-C", out, "repack", "-a", "-d", "-f", "-q", "--window=10", "--depth=50"], check=True)
    with open(os.path.join(out, "planted.json"), "w") as f:
        json.dump(h.manifest, f, indent=1)
        f.write("\n")
    dt = time.time() - t0
    print(f"gen-history: {h.commits} commits, {h.bytes / 1e6:.0f} MB of blob writes, {len(h.manifest)} planted keys, "
          f"{len(files)} files at main into {out} in {dt:.1f}s (seed {a.seed})", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The service crate's floors: every `crate::`/`super::` import must run down (or stay level).

Reads the `src/` tree as text, resolves each path named in a `use` or written inline to the file
that defines it (following `pub use` re-exports of a `mod.rs`), and checks each import against the
floor plan below (docs/architecture.md draws it). Prints the imports that run back up and exits 1
if there are any.

    scripts/floors.py            check (used by .ci/run)
    scripts/floors.py --report   also the largest import circles and the largest files
"""

import fnmatch
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")

# From the ground up. The first pattern that matches a file (relative to src/) gives its floor.
# Inside a feature folder (transport/, teleasistenta/, referrals/, emiu/, reports/, telephony/,
# intake/, assign/, sms/, push/): `rules.rs` or `rules/` is its pure core, `http.rs`, `http/` and
# the `mod.rs` (table of contents and router) its HTTP face, any other file its service.
FEATURES = ["transport", "teleasistenta", "referrals", "emiu", "reports", "telephony", "intake",
            "assign", "sms", "push", "supervisor", "receiver", "beds", "outbound", "shifts"]
FLOORS = [
    (
        "vocabulary and config types",
        ["domain/*", "events/event.rs", "events/transport.rs", "events/mod.rs", "config/*",
         "transport/model.rs", "transport/eligibility.rs", "error.rs", "telemetry.rs"],
    ),
    (
        "pure feature cores",
        ["access/*", "queue/*", "core/decide.rs", "core/decide/*", "core/state.rs",
         "core/state/*", "core/command.rs", "emiu/risk.rs", "telephony/signature.rs",
         "telephony/twiml.rs", "push/protocol.rs"]
        + [f"{f}/rules.rs" for f in FEATURES] + [f"{f}/rules/*" for f in FEATURES],
    ),
    ("storage", ["store/*", "events/bus/*"]),
    # Every other file of a feature folder is a service (see floor_of).
    ("feature services", ["core/*", "intake/limit.rs", "push/filter.rs", "sms/*"]),
    ("HTTP kit", ["web/*", "state.rs"]),
    (
        "thin HTTP faces",
        [f"{f}/{x}" for f in FEATURES for x in ("http.rs", "http/*", "mod.rs")]
        + ["intake/alerts.rs", "intake/calls.rs", "intake/bookings.rs", "assign/*",
           "push/connection.rs", "telephony/webhooks.rs"],
    ),
    ("router, API document and startup", ["http/*", "startup.rs", "cli/*", "lib.rs",
                                          "main.rs"]),
]
SERVICE = 3


def floor_of(rel):
    for i, (_, patterns) in enumerate(FLOORS):
        for p in patterns:
            if fnmatch.fnmatch(rel, p):
                return i
    if rel.split("/")[0] in FEATURES:
        return SERVICE
    return None


def module_path(rel):
    parts = rel[:-3].split("/")
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def load():
    files = {}
    for root, _, names in os.walk(SRC):
        for n in names:
            if n.endswith(".rs"):
                full = os.path.join(root, n)
                rel = os.path.relpath(full, SRC).replace(os.sep, "/")
                with open(full, encoding="utf-8") as f:
                    files[rel] = f.read()
    return files


def strip_comments(text):
    """The code without comments and without its unit tests (`#[cfg(test)]` to the end of the
    file, where this crate keeps them): a test may reach anywhere."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    cut = text.find("#[cfg(test)]")
    return text if cut < 0 else text[:cut]


def expand(tree):
    """`a::{b, c::{d, e}}` -> [a::b, a::c::d, a::c::e]."""
    tree = tree.strip()
    i = tree.find("{")
    if i < 0:
        return [tree.split(" as ")[0].strip()]
    head, body = tree[:i], tree[i + 1: tree.rfind("}")]
    parts, depth, cur = [], 0, ""
    for ch in body:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    parts.append(cur)
    out = []
    for p in parts:
        if p.strip():
            out += [head + e for e in expand(p)]
    return out


USE = re.compile(r"\b(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);")
INLINE = re.compile(r"\b((?:crate|super)(?:::\w+)+)")


def absolute(path, mod, is_mod_file, children):
    segs = [s for s in path.replace(" ", "").split("::") if s]
    if not segs:
        return None
    if segs[0] == "crate":
        return tuple(segs[1:])
    base = list(mod)
    if segs[0] == "self":
        return tuple(base + segs[1:])
    if segs[0] == "super":
        # In a.rs (module a), `super` is a's parent; in a/mod.rs too.
        while segs and segs[0] == "super":
            base = base[:-1]
            segs = segs[1:]
        return tuple(base + segs)
    if segs[0] in children:
        return tuple(base + segs)
    return None  # an external crate or the standard library


def main():
    files = load()
    by_mod = {module_path(r): r for r in files if r != "main.rs"}
    reexports = {}  # (module, name) -> absolute path it re-exports
    children = {}
    parsed = {}
    for rel, text in files.items():
        code = strip_comments(text)
        mod = module_path(rel)
        kids = set(re.findall(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", code, re.M))
        children[rel] = kids
        parsed[rel] = code
        for m in USE.finditer(code):
            if not m.group(1):
                continue
            for p in expand(m.group(2)):
                a = absolute(p, mod, rel.endswith("mod.rs"), kids)
                if a:
                    name = p.split(" as ")[-1].split("::")[-1].strip()
                    reexports[(mod, name)] = a

    def resolve(a, depth=0):
        """The file that defines what absolute path `a` names."""
        for n in range(len(a), -1, -1):
            if a[:n] in by_mod:
                if n < len(a) and depth < 8 and (a[:n], a[n]) in reexports:
                    target = reexports[(a[:n], a[n])]
                    return resolve(target + a[n + 1:], depth + 1)
                return by_mod[a[:n]]
        return None

    edges = {r: set() for r in files}
    for rel, code in parsed.items():
        mod = module_path(rel)
        paths = []
        for m in USE.finditer(code):
            if m.group(1):
                # A re-export is a table of contents (followed above), unless the file
                # itself uses what it re-exports.
                rest = re.sub(r"\b(?:pub(?:\([^)]*\))?\s+)?(?:use\s+[^;]+|mod\s+\w+);", "", code)
                paths += [p for p in expand(m.group(2))
                          if re.search(r"\b" + re.escape(p.split(" as ")[-1].split("::")[-1].strip())
                                       + r"\b", rest)]
                continue
            paths += expand(m.group(2))
        paths += INLINE.findall(code)
        for p in paths:
            a = absolute(p, mod, rel.endswith("mod.rs"), children[rel])
            if a is None:
                continue
            target = resolve(a)
            if target and target != rel:
                edges[rel].add(target)

    upward = []
    unplaced = sorted(r for r in files if floor_of(r) is None)
    for rel, targets in sorted(edges.items()):
        f = floor_of(rel)
        for t in sorted(targets):
            g = floor_of(t)
            if f is not None and g is not None and g > f:
                upward.append((rel, FLOORS[f][0], t, FLOORS[g][0]))

    for rel in unplaced:
        print(f"no floor for src/{rel}: add it to FLOORS in scripts/floors.py")
    for rel, ff, t, tf in upward:
        print(f"upward import: src/{rel} ({ff}) -> src/{t} ({tf})")

    if "--report" in sys.argv:
        sccs = tarjan(edges)
        sccs.sort(key=len, reverse=True)
        big = [c for c in sccs if len(c) > 1]
        print(f"files: {len(files)}, lines: {sum(t.count(chr(10)) for t in files.values())}")
        print(f"imports that run back up: {len(upward)}")
        print(f"import circles: {len(big)}; sizes: {[len(c) for c in big]}")
        for c in big[:6]:
            print("  circle:", " ".join(sorted(c)))
        sizes = sorted(((t.count("\n"), r) for r, t in files.items()), reverse=True)[:10]
        print("largest files:", ", ".join(f"{r} {n}" for n, r in sizes))
    if upward or unplaced:
        print(f"{len(upward)} imports run back up, {len(unplaced)} files have no floor "
              "(docs/architecture.md, 'Floors')")
        return 1
    return 0


def tarjan(edges):
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    for v in edges:
        if v not in index:
            visit(v)
    return out


if __name__ == "__main__":
    sys.exit(main())

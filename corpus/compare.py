#!/usr/bin/env python3
"""Join a run's findings to the committed verdicts and report precision.

usage: corpus/compare.py RUN_DIR/findings.tsv [--verdicts corpus/verdicts.tsv] [--list]

A finding is keyed by (project, file, line, rule). The report lists
  new       findings of this run with no verdict yet (errors and warnings: judge them),
  vanished  judged findings this run no longer reports (fixed if they were false),
  demoted   judged findings this run reports as info only,
and prints per rule: true / false / debatable / unjudged among this run's errors and warnings,
and the share of true among the judged ones.
"""
import argparse
import collections
import csv
import pathlib

here = pathlib.Path(__file__).resolve().parent
ap = argparse.ArgumentParser()
ap.add_argument("findings")
ap.add_argument("--verdicts", default=here / "verdicts.tsv")
ap.add_argument("--list", action="store_true", help="also list every new and vanished finding")
args = ap.parse_args()


def key(r):
    return (r["project"], r["file"], int(r["line"]), r["rule"])


def read(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


run = read(args.findings)
verdicts = {key(v): v for v in read(args.verdicts)}
seen = {key(r): r for r in run}

table = collections.defaultdict(collections.Counter)
new = []
for k, r in sorted(seen.items()):
    if r["severity"] == "info":
        continue
    v = verdicts.get(k)
    table[(r["rule"], r["severity"])][v["verdict"] if v else "unjudged"] += 1
    if not v:
        new.append(r)
vanished = [v for k, v in sorted(verdicts.items()) if k not in seen]
demoted = [v for k, v in sorted(verdicts.items()) if k in seen and seen[k]["severity"] == "info"]

print("rule\tseverity\ttrue\tfalse\tdebatable\tunjudged\t%true")
for (rule, sev), c in sorted(table.items()):
    judged = c["true"] + c["false"] + c["debatable"]
    pct = f"{100 * c['true'] / judged:.0f}%" if judged else "-"
    print(f"{rule}\t{sev}\t{c['true']}\t{c['false']}\t{c['debatable']}\t{c['unjudged']}\t{pct}")
tot = sum(table.values(), collections.Counter())
judged = tot["true"] + tot["false"] + tot["debatable"]
print(f"all\t\t{tot['true']}\t{tot['false']}\t{tot['debatable']}\t{tot['unjudged']}\t"
      + (f"{100 * tot['true'] / judged:.0f}%" if judged else "-"))
gone = collections.Counter(v["verdict"] for v in vanished)
print(f"\nnew (unjudged errors/warnings): {len(new)}   vanished judged findings: {len(vanished)} {dict(gone)}"
      f"   demoted to info: {len(demoted)} {dict(collections.Counter(v['verdict'] for v in demoted))}")
if args.list:
    for r in new:
        print("NEW", r["project"], f"{r['file']}:{r['line']}", r["rule"], r["severity"], r["message"], sep="\t")
    for v in demoted:
        print("INFO", v["project"], f"{v['file']}:{v['line']}", v["rule"], v["verdict"], v["reason"], sep="\t")
    for v in vanished:
        print("GONE", v["project"], f"{v['file']}:{v['line']}", v["rule"], v["verdict"], v["reason"], sep="\t")

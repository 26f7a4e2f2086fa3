#!/usr/bin/env python3
"""Turn a run folder of <project>.json reports into findings.tsv and print counts.

usage: corpus/summarize.py RUN_DIR
"""
import collections
import csv
import json
import pathlib
import sys

run = pathlib.Path(sys.argv[1])
rows, files, problems = [], 0, []
for status in csv.reader(open(run / "status.tsv"), delimiter="\t"):
    project, rc, secs = status
    if rc not in ("0", "1"):
        problems.append(f"{project}: exit {rc} ({(run / (project + '.stderr')).read_text()[:300].strip()})")
    try:
        report = json.loads((run / f"{project}.json").read_text())
    except (OSError, ValueError) as e:
        problems.append(f"{project}: no JSON report ({e})")
        continue
    files += report["summary"]["files"]
    for d in report["diagnostics"]:
        f = d["file"].removeprefix("./")
        msg = " ".join(d["message"].split())
        rows.append((project, f, d["span"]["start"]["line"], d["span"]["start"]["column"],
                     d["code"], d["severity"], msg))
rows.sort()
with open(run / "findings.tsv", "w", newline="") as fh:
    w = csv.writer(fh, delimiter="\t", lineterminator="\n")
    w.writerow(["project", "file", "line", "column", "rule", "severity", "message"])
    w.writerows(rows)

by = collections.Counter((r[4], r[5]) for r in rows)
print(f"projects: {len(list(run.glob('*.json')))}  files linted: {files}  findings: {len(rows)}")
print("rule\tseverity\tcount")
for (rule, sev), n in sorted(by.items()):
    print(f"{rule}\t{sev}\t{n}")
sev = collections.Counter(r[5] for r in rows)
print("by severity:", dict(sorted(sev.items())))
print("SL001:", sum(1 for r in rows if r[4] == "SL001"))
for p in problems:
    print("PROBLEM", p)

#!/usr/bin/env python3
"""Peak memory with many findings: does memory follow the findings or the files?

Usage: findings.py [FILES] [FINDINGS_PER_FILE] [STOWLINT]
       (defaults: 10,000 files, 20 findings per file, target/release/stowlint)

Writes FILES compose files under a temporary folder, each with FINDINGS_PER_FILE / 2 services
that mount the Docker socket (SL102) and `/etc` writable (SL101), then runs `stowlint check`
on it once per format (standard output to /dev/null) and once with `--parse-only` (the files
read and parsed, nothing linted or kept), and prints the peak RSS and time of each run (from
`wait4`'s rusage). Findings are kept encoded, a file's worth at a time in the renderers, and past
64 MB in an unnamed temporary file: the peak should stay near the parse-only floor whatever the
number of findings.
"""
import os
import resource
import subprocess
import sys
import tempfile
import time

files = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
per_file = int(sys.argv[2]) if len(sys.argv) > 2 else 20
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = sys.argv[3] if len(sys.argv) > 3 else os.path.join(root, "target", "release", "stowlint")


def compose(i):
    out = ["services:"]
    for s in range(max(1, per_file // 2)):
        out += [
            f"  app{s}:",
            f"    image: example/app{i % 97}:{s}",
            "    volumes:",
            "      - /var/run/docker.sock:/var/run/docker.sock",
            "      - /etc:/host/etc",
        ]
    return "\n".join(out) + "\n"


def run(args):
    start = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{' '.join(args)} exited with {code}")
    return usage.ru_maxrss / 1024, elapsed


with tempfile.TemporaryDirectory() as tmp:
    for i in range(files):
        folder = os.path.join(tmp, f"s{i // 100}", f"p{i}")
        os.makedirs(folder)
        with open(os.path.join(folder, "compose.yaml"), "w") as f:
            f.write(compose(i))
    size = sum(
        os.path.getsize(os.path.join(d, n)) for d, _, names in os.walk(tmp) for n in names
    )
    total = files * 2 * max(1, per_file // 2)
    print(f"{files:,} compose files, {size / 1e6:.1f} MB, {total:,} findings")
    print("| run | peak RSS | time |")
    print("|---|---:|---:|")
    base = [binary, "check", "--isolated", "--exit-zero", tmp]
    for name, extra in [
        ("--parse-only", ["--parse-only"]),
        ("--format concise", ["--format", "concise"]),
        ("--format json", ["--format", "json"]),
        ("--format sarif", ["--format", "sarif"]),
        ("--format human", ["--format", "human"]),
    ]:
        rss, elapsed = run(base + extra)
        print(f"| `{name}` | {rss:.0f} MB | {elapsed:.2f} s |", flush=True)

#!/usr/bin/env python3
"""Peak memory with many findings: does memory follow the findings or the files?

Usage: findings.py [FILES] [FINDINGS_PER_FILE] [STOWLINT]
       (defaults: 10,000 files, 20 findings per file, target/release/stowlint)

Writes two repositories of FILES compose files under a temporary folder, each file with
FINDINGS_PER_FILE / 2 services: in "findings" every service mounts the Docker socket (SL102) and
`/etc` writable (SL101); in "clean" the same services mount two folders of the repository
read-only (no finding). Runs `stowlint check` on each once per format (standard output to
/dev/null) and once with `--parse-only` (read and parse, nothing linted), and prints the peak
RSS and time of each run (from `wait4`'s rusage). What the findings cost is the difference
between the two columns: findings are kept encoded, read back a file at a time by the
renderers, and past 32 MB go to an unnamed temporary file, so the difference should stay about
the same whatever the number of findings.
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


def compose(i, findings):
    out = ["services:"]
    for s in range(max(1, per_file // 2)):
        out += [f"  app{s}:", f"    image: example/app{i % 97}:{s}", "    volumes:"]
        if findings:
            out += ["      - /var/run/docker.sock:/var/run/docker.sock", "      - /etc:/host/etc"]
        else:
            out += ["      - ./config:/etc/app/conf:ro", "      - ./seed:/srv/seed:ro"]
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


def write(root, findings):
    for i in range(files):
        folder = os.path.join(root, f"s{i // 100}", f"p{i}")
        os.makedirs(folder)
        with open(os.path.join(folder, "compose.yaml"), "w") as f:
            f.write(compose(i, findings))
    return sum(
        os.path.getsize(os.path.join(d, n)) for d, _, names in os.walk(root) for n in names
    )


with tempfile.TemporaryDirectory() as tmp:
    clean, dirty = os.path.join(tmp, "clean"), os.path.join(tmp, "findings")
    size_clean, size = write(clean, False), write(dirty, True)
    total = files * 2 * max(1, per_file // 2)
    print(f"{files:,} compose files each: clean {size_clean / 1e6:.1f} MB, no finding; "
          f"findings {size / 1e6:.1f} MB, {total:,} findings")
    print("| run | clean: peak RSS | time | findings: peak RSS | time |")
    print("|---|---:|---:|---:|---:|")
    for name, extra in [
        ("--parse-only", ["--parse-only"]),
        ("--format concise", ["--format", "concise"]),
        ("--format json", ["--format", "json"]),
        ("--format sarif", ["--format", "sarif"]),
        ("--format human", ["--format", "human"]),
    ]:
        cells = []
        for repo in (clean, dirty):
            rss, elapsed = run([binary, "check", "--isolated", "--exit-zero", repo] + extra)
            cells += [f"{rss:.0f} MB", f"{elapsed:.2f} s"]
        print(f"| `{name}` | " + " | ".join(cells) + " |", flush=True)

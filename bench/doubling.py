#!/usr/bin/env python3
"""The doubling benchmark: for each construct a hostile file can repeat (mapping keys, mounts,
suppression comments, documents, Dockerfile stages, ENV and VOLUME lines, aliases), lint one
file with n, 2n and 4n copies and print the CPU time (user + system) and peak memory of each,
with the ratio of each step. Linear work doubles with n (ratio ~2); quadratic work quadruples
(ratio ~4). CPU time, not wall time: other work on the machine hardly moves it.

Usage: python3 bench/doubling.py [BINARY] [N]   (default: target/release/stowlint, 20000)
Nothing here is a test: compare numbers on one machine only.
"""

import os
import subprocess
import sys
import tempfile

CONSTRUCTS = {
    "environment keys": lambda n: "services:\n  a:\n    image: alpine\n    environment:\n"
    + "".join(f"      K{i}: v{i}\n" for i in range(n)),
    "volumes of one service": lambda n: "services:\n  a:\n    image: alpine\n    volumes:\n"
    + "".join(f"      - ./d{i}:/d{i}\n" for i in range(n)),
    "services": lambda n: "services:\n"
    + "".join(f"  s{i}:\n    image: alpine\n    volumes: [\"v{i}:/d\"]\n" for i in range(n))
    + "volumes:\n"
    + "".join(f"  v{i}:\n" for i in range(n)),
    "suppression comments": lambda n: "services:\n"
    + "".join(
        f"  # stowlint: ignore SL101 -- r\n  s{i}:\n    image: alpine\n" for i in range(n)
    ),
    "documents": lambda n: "".join(
        f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n" for i in range(n)
    ),
    "aliases": lambda n: "x-base: &base {image: alpine}\nservices:\n"
    + "".join(f"  s{i}:\n    <<: *base\n" for i in range(n)),
    "Dockerfile stages": lambda n: "".join(f"FROM alpine AS s{i}\n" for i in range(n)),
    "Dockerfile ENV lines": lambda n: "FROM alpine\n"
    + "".join(f"ENV A{i}=x{i}\n" for i in range(n)),
    "Dockerfile VOLUME lines": lambda n: "FROM postgres:16\n"
    + "".join(f"VOLUME /v{i}\n" for i in range(n)),
}


def run(binary, path):
    """CPU seconds and peak resident MB of one run (the child's own, from wait4)."""
    child = subprocess.Popen(
        [binary, "check", "--isolated", "--format", "concise", "--max-file-size", "1GB", path],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, _, usage = os.wait4(child.pid, 0)
    child.returncode = 0
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/stowlint"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    print(f"{'construct':<26} {'n':>8} {'2n':>8} {'4n':>8}   ratios   peak MB (4n)  MB/input MB")
    with tempfile.TemporaryDirectory() as work:
        for name, make in CONSTRUCTS.items():
            times = []
            peak = size = 0
            for k in (n, 2 * n, 4 * n):
                text = make(k)
                suffix = "Dockerfile" if name.startswith("Dockerfile") else "compose.yaml"
                path = os.path.join(work, f"{k}.{suffix}")
                with open(path, "w") as f:
                    f.write(text)
                cpu, peak = run(binary, path)
                times.append(cpu)
                size = len(text) / 1e6
            ratios = " ".join(
                f"{b / a:.1f}" if a > 0.005 else "-" for a, b in zip(times, times[1:])
            )
            print(
                f"{name:<26} {times[0]:>7.2f}s {times[1]:>7.2f}s {times[2]:>7.2f}s   {ratios:<8} "
                f"{peak:>8.0f}     {peak / size:>6.0f}"
            )


if __name__ == "__main__":
    main()

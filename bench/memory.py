#!/usr/bin/env python3
"""The memory benchmark: peak memory per input byte of one large file.

For each kind of file a repository may hold one huge copy of (a multi-document Kubernetes
manifest, a compose file with many services, a Dockerfile with many stages), generate it at
1, 5 and 10 MB (at most: 10 MB is the default `max-file-size`), lint it alone with the release binary (`check --format concise`, output to
/dev/null) and read the run's peak RSS. The binary's idle peak (the same run on an empty
compose file) is subtracted, so the table says what the file itself costs: bytes of peak RSS
per byte of input. The goal is at most 20 for each.

Usage: python3 bench/memory.py [BINARY] [SIZES_MB...]
       (default: target/release/stowlint, 1 5 10)
Nothing here is a test: compare numbers on one machine only.
"""

import os
import resource
import subprocess
import sys
import tempfile


def manifest(i):
    """One Deployment, one StatefulSet with a claim template, a claim and a config map."""
    return f"""---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
  namespace: team-{i % 7}
  labels: {{app: web-{i}, tier: frontend}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: web-{i}}}
  template:
    metadata:
      labels: {{app: web-{i}}}
    spec:
      containers:
        - name: web
          image: "nginx:1.27"
          ports: [{{containerPort: 80}}]
          volumeMounts:
            - name: cache
              mountPath: /var/cache/nginx
            - name: config
              mountPath: /etc/nginx/conf.d
              readOnly: true
            - name: logs
              mountPath: /var/log/nginx
      volumes:
        - name: cache
          emptyDir: {{}}
        - name: config
          configMap: {{name: web-{i}-config}}
        - name: logs
          hostPath: {{path: /var/log/web-{i}, type: DirectoryOrCreate}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db-{i}
  namespace: team-{i % 7}
spec:
  serviceName: db-{i}
  replicas: 3
  selector:
    matchLabels: {{app: db-{i}}}
  template:
    metadata:
      labels: {{app: db-{i}}}
    spec:
      containers:
        - name: postgres
          image: postgres:17
          env:
            - {{name: PGDATA, value: /var/lib/postgresql/data/pgdata}}
            - name: POSTGRES_PASSWORD
              valueFrom: {{secretKeyRef: {{name: db-{i}, key: password}}}}
          volumeMounts:
            - {{name: data, mountPath: /var/lib/postgresql/data}}
  volumeClaimTemplates:
    - metadata: {{name: data}}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {{requests: {{storage: 10Gi}}}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: shared-{i}
  namespace: team-{i % 7}
spec:
  accessModes: ["ReadWriteMany"]
  storageClassName: nfs
  resources:
    requests:
      storage: 5Gi
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-{i}-config
data:
  default.conf: |
    server {{
      listen 80;
      location / {{ root /usr/share/nginx/html; }}
    }}
"""


def service(i):
    """One compose service with the usual volume syntaxes."""
    return f"""  app-{i}:
    image: example/app:{i % 13}.{i % 5}
    build:
      context: ./app-{i}
    environment:
      DATABASE_URL: postgres://db-{i}:5432/app
      CACHE_DIR: /var/cache/app
    volumes:
      - app-{i}-data:/var/lib/app
      - ./config/app-{i}.yaml:/etc/app/config.yaml:ro
      - ${{DATA_ROOT:-/srv}}/app-{i}:/srv/data:z
      - type: tmpfs
        target: /tmp
        tmpfs:
          size: 64m
    ports: ["{8000 + i % 1000}:8080"]
    deploy:
      replicas: 2
"""


def compose(target):
    """Services, then their volumes' declarations: at most `target` bytes in all."""
    parts, size, i = ["services:\n"], len("services:\nvolumes:\n"), 0
    while size + len(service(i)) + len(f"  app-{i}-data:\n") <= target:
        parts.append(service(i))
        size += len(parts[-1]) + len(f"  app-{i}-data:\n")
        i += 1
    parts.append("volumes:\n")
    parts.extend(f"  app-{k}-data:\n" for k in range(i))
    return "".join(parts)


def stage(i):
    return f"""FROM debian:12-slim AS build-{i}
ARG VERSION_{i}=1.{i}
ENV APP_HOME_{i}=/opt/app-{i} \\
    PATH=/opt/app-{i}/bin:$PATH
WORKDIR /src/app-{i}
COPY --chown=app:app ./app-{i} /src/app-{i}
RUN --mount=type=cache,target=/var/cache/apt apt-get update \\
 && apt-get install -y --no-install-recommends ca-certificates curl \\
 && make -C /src/app-{i} install PREFIX=/opt/app-{i}
VOLUME /var/lib/app-{i}
USER app
"""


def repeat(piece, target):
    """Copies of `piece` numbered from 0: at most `target` bytes (10 MB is the default
    `max-file-size`: a larger file is not read)."""
    parts, size, i = [], 0, 0
    while size + len(piece(i)) <= target:
        parts.append(piece(i))
        size += len(parts[-1])
        i += 1
    return "".join(parts)


KINDS = [
    ("manifest.yaml", lambda n: repeat(manifest, n)),
    ("compose.yaml", compose),
    ("Dockerfile", lambda n: repeat(stage, n)),
]


def peak_rss(binary, path):
    """The peak RSS in bytes of one run on `path` alone (Linux reports kilobytes)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(os.devnull, "wb") as null:
        subprocess.run(
            [binary, "check", "--format", "concise", path],
            cwd=os.path.dirname(path),
            stdout=null,
            stderr=null,
            check=False,
        )
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest of any child so far: runs go from small to large,
    # and each file is measured in a fresh process below.
    return max(after, before) * 1024


def measure(binary, path):
    """Peak RSS of a run on `path`, in a fresh Python child so that the children's maximum
    is this run's alone."""
    out = subprocess.run(
        [sys.executable, __file__, "--one", binary, path],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        print(peak_rss(sys.argv[2], sys.argv[3]))
        return
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/stowlint")
    sizes = [float(s) for s in sys.argv[2:]] or [1, 5, 10]
    with tempfile.TemporaryDirectory() as work:
        empty = os.path.join(work, "empty", "compose.yaml")
        os.makedirs(os.path.dirname(empty))
        with open(empty, "w") as f:
            f.write("services: {}\n")
        idle = measure(binary, empty)
        print(f"idle peak RSS: {idle / 1e6:.1f} MB")
        print(f"{'file':<14} {'MB':>5} {'peak_MB':>8} {'bytes/byte':>10}")
        for name, make in KINDS:
            for mb in sizes:
                folder = os.path.join(work, f"{name}-{mb:g}")
                os.makedirs(folder)
                path = os.path.join(folder, name)
                text = make(int(mb * 1_000_000))
                with open(path, "w") as f:
                    f.write(text)
                peak = measure(binary, path)
                per_byte = max(peak - idle, 0) / len(text.encode())
                print(f"{name:<14} {len(text) / 1e6:5.1f} {peak / 1e6:8.1f} {per_byte:10.1f}")


if __name__ == "__main__":
    main()

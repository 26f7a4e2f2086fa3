#!/usr/bin/env python3
"""Generate a deterministic, realistic synthetic repository of container configs.

Usage: gen.py OUT_DIR [FILES]        (default 10,000 files)

The mix follows a large monorepo: 35 % compose files, 35 % multi-document Kubernetes
manifests, 30 % Dockerfiles, about 2.9 KB per file on average. Files vary with a seeded random
generator: real-world volume syntaxes (short, long, tmpfs, named, anonymous, Windows, `~`,
`${VAR:-default}`), anchors and merge keys, swarm deploy keys, StatefulSets with claim
templates, PVCs and HPAs across documents, multi-stage Dockerfiles with heredocs and
`RUN --mount`. The same arguments always give the same bytes.
"""
import os
import random
import sys

out = sys.argv[1]
total = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
rng = random.Random(20261126)

IMAGES = ["postgres:17", "postgres:18", "mysql:8.4", "redis:7.4", "mongo:8.0", "nginx:1.27",
          "example/api:{v}", "example/worker:{v}", "rabbitmq:4.1", "elasticsearch:8.15.0",
          "grafana/grafana:11.2.0", "prom/prometheus:v2.54.1", "minio/minio:RELEASE.2024-10-13",
          "traefik:v3.1", "bitnami/kafka:3.7", "wordpress:6.6", "ghcr.io/acme/app:{v}"]
DATA = {"postgres:17": "/var/lib/postgresql/data", "postgres:18": "/var/lib/postgresql",
        "mysql:8.4": "/var/lib/mysql", "redis:7.4": "/data", "mongo:8.0": "/data/db",
        "rabbitmq:4.1": "/var/lib/rabbitmq", "elasticsearch:8.15.0": "/usr/share/elasticsearch/data",
        "grafana/grafana:11.2.0": "/var/lib/grafana", "prom/prometheus:v2.54.1": "/prometheus",
        "minio/minio:RELEASE.2024-10-13": "/data", "bitnami/kafka:3.7": "/bitnami/kafka",
        "wordpress:6.6": "/var/www/html"}


def volume_entries(name, image, count):
    """`count` volume entries with distinct targets, weighted like real compose files: mostly
    named volumes and read-only config binds, sometimes a risky one."""
    data = DATA.get(image, "/srv/data")
    choices = [
        (30, data, f"      - {name}-data:{data}"),
        (20, f"/etc/{name}", f"      - ./config/{name}.conf:/etc/{name}/{name}.conf:ro"),
        (8, data, f"      - ./data/{name}:{data}"),
        (6, data, f"      - ${{DATA_ROOT:-/srv}}/{name}:{data}:z"),
        (8, "/certs", "      - type: bind\n        source: ./certs\n        target: /certs\n        read_only: true"),
        (8, data, f"      - type: volume\n        source: {name}-data\n        target: {data}\n        volume:\n          nocopy: true"),
        (8, "/tmp", "      - type: tmpfs\n        target: /tmp\n        tmpfs:\n          size: 64m"),
        (3, data, f"      - {data}"),
        (2, "/var/run/docker.sock", "      - /var/run/docker.sock:/var/run/docker.sock:ro"),
        (2, "/config", f"      - ~/.config/{name}:/config"),
        (1, "/win", f"      - \"C:\\\\data\\\\{name}:/win\""),
    ]
    picked, targets = [], set()
    while len(picked) < count:
        weights = [w for w, _, _ in choices]
        _, target, text = rng.choices(choices, weights)[0]
        if target in targets:
            if len(targets) >= len({t for _, t, _ in choices}):
                break
            continue
        targets.add(target)
        picked.append(text)
    return picked


def compose(i):
    lines = ["# Generated service stack", "x-defaults: &defaults", "  restart: unless-stopped",
             "  logging:", "    driver: json-file", "    options:", "      max-size: 10m", "",
             "services:"]
    names, used = [], []
    for j in range(rng.randint(4, 9)):
        image = rng.choice(IMAGES).format(v=f"{i % 7}.{j}")
        name = f"svc{j}"
        names.append(name)
        lines += [f"  {name}:", "    <<: *defaults", f"    image: {image}",
                  "    environment:", f"      APP_ENV: ${{APP_ENV:-production}}",
                  f"      SERVICE_NAME: {name}", "    volumes:"]
        entries = volume_entries(name, image, rng.randint(1, 3))
        lines += entries
        if any(f"{name}-data" in e for e in entries):
            used.append(name)
        if rng.random() < 0.3:
            lines += ["    tmpfs:", "      - /run:size=16m"]
        if rng.random() < 0.25:
            lines += ["    deploy:", f"      replicas: {rng.randint(1, 4)}",
                      "      placement:", "        constraints: [node.role == worker]",
                      "      update_config:", "        parallelism: 1"]
        if rng.random() < 0.2:
            lines += ["    build:", "      context: .", "      dockerfile: Dockerfile"]
        lines += ["    healthcheck:", "      test: [\"CMD\", \"true\"]", "      interval: 30s"]
    lines += ["", "volumes:"]
    lines += [f"  {n}-data:" for n in used] or ["  unused: {}"]
    return "\n".join(lines) + "\n"


def manifest(i):
    docs = []
    for j in range(rng.randint(3, 6)):
        kind = rng.choice(["Deployment", "StatefulSet", "DaemonSet", "CronJob", "Service",
                           "PersistentVolumeClaim", "HorizontalPodAutoscaler", "ConfigMap"])
        name = f"app{i}-{j}"
        if kind in ("Deployment", "StatefulSet", "DaemonSet"):
            image = rng.choice(IMAGES).format(v=f"{j}.0")
            data = DATA.get(image, "/srv/data")
            if kind == "DaemonSet":
                scale = "  updateStrategy:\n    type: RollingUpdate"
            else:
                scale = f"  replicas: {rng.randint(1, 5)}"
            vol = rng.choice([
                f"        - name: data\n          persistentVolumeClaim:\n            claimName: {name}-data",
                "        - name: data\n          emptyDir: {}",
                "        - name: data\n          hostPath:\n            path: /srv/data\n            type: DirectoryOrCreate",
                "        - name: data\n          emptyDir:\n            medium: Memory\n            sizeLimit: 64Mi",
            ])
            doc = f"""apiVersion: apps/v1
kind: {kind}
metadata:
  name: {name}
  namespace: team-{i % 13}
  labels:
    app.kubernetes.io/name: {name}
    app.kubernetes.io/part-of: platform
spec:
{scale}
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
    spec:
      initContainers:
        - name: init
          image: busybox:1.37
          command: ["sh", "-c", "chown -R 1000:1000 {data}"]
          volumeMounts:
            - {{name: data, mountPath: {data}}}
      containers:
        - name: main
          image: {image}
          ports:
            - containerPort: 8080
          env:
            - name: LOG_LEVEL
              value: info
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{memory: 512Mi}}
          volumeMounts:
            - name: data
              mountPath: {data}
            - name: config
              mountPath: /etc/app
              readOnly: true
      volumes:
{vol}
        - name: config
          configMap:
            name: {name}-config
"""
            if kind == "StatefulSet" and rng.random() < 0.5:
                doc += f"""  volumeClaimTemplates:
    - metadata:
        name: {name}-state
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 10Gi
"""
        elif kind == "CronJob":
            doc = f"""apiVersion: batch/v1
kind: CronJob
metadata:
  name: {name}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: backup
              image: postgres:17
              command: ["pg_dump", "-f", "/backup/db.sql"]
              volumeMounts:
                - {{name: backup, mountPath: /backup}}
          volumes:
            - name: backup
              persistentVolumeClaim: {{claimName: backups}}
"""
        elif kind == "PersistentVolumeClaim":
            doc = f"""apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: app{i}-{j - 1}-data
  namespace: team-{i % 13}
spec:
  accessModes: [{rng.choice(["ReadWriteOnce", "ReadWriteMany"])}]
  storageClassName: standard
  resources:
    requests:
      storage: 20Gi
"""
        elif kind == "HorizontalPodAutoscaler":
            doc = f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: app{i}-{j - 1}
  namespace: team-{i % 13}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: app{i}-{j - 1}
  minReplicas: 2
  maxReplicas: 10
"""
        elif kind == "Service":
            doc = f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app.kubernetes.io/name: {name}
  ports:
    - port: 80
      targetPort: 8080
"""
        else:
            doc = f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-config
data:
  app.yaml: |
    server:
      port: 8080
    storage:
      path: /srv/data
"""
        docs.append(doc)
    return "---\n".join(docs)


def dockerfile(i):
    base = rng.choice(["python:3.12-slim", "node:22-alpine", "golang:1.23", "postgres:17", "alpine:3.20"])
    return f"""# syntax=docker/dockerfile:1.7
ARG BASE={base}
FROM ${{BASE}} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache <<EOF
set -eux
echo building {i}
mkdir -p /out
EOF

FROM ${{BASE}}
LABEL org.opencontainers.image.title="service-{i}"
ENV DATA_DIR=/srv/data \\
    APP_HOME=/app
COPY --from=build /out /app
{rng.choice(['VOLUME ["/srv/data"]', "VOLUME /srv/data /var/log/app", "VOLUME ['/srv/data']", ""])}
RUN mkdir -p $DATA_DIR && chown 1000:1000 $DATA_DIR
USER 1000
EXPOSE 8080
HEALTHCHECK CMD ["/app/health"]
ENTRYPOINT ["/app/run"]
"""


n_compose = total * 35 // 100
n_manifest = total * 35 // 100
n_docker = total - n_compose - n_manifest
written = 0
size = 0
for kind, count, make, name in [("compose", n_compose, compose, "compose.yaml"),
                                 ("k8s", n_manifest, manifest, "deploy.yaml"),
                                 ("docker", n_docker, dockerfile, "Dockerfile")]:
    for i in range(count):
        d = os.path.join(out, f"team-{i % 50:02d}", f"{kind}-{i:05d}")
        os.makedirs(d, exist_ok=True)
        text = make(i)
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
        written += 1
        size += len(text)
print(f"{written} files, {size / 1e6:.1f} MB in {out}")

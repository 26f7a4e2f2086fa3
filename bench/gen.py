#!/usr/bin/env python3
"""Generate a synthetic repository of container configs for benchmarks.

Usage: gen.py OUT_DIR [PROJECTS]   (default 500 projects: ~1,500 files)
Each project has a compose file (6 services), a Kubernetes manifest (4 documents) and a
Dockerfile, with a realistic mix of good and risky storage settings.
"""
import os
import sys

out = sys.argv[1]
projects = int(sys.argv[2]) if len(sys.argv) > 2 else 500

COMPOSE = """services:
  db:
    image: postgres:17
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/pw
    volumes:
      - db-data:/var/lib/postgresql/data
  cache:
    image: redis:7.4
    tmpfs:
      - /tmp
  web:
    image: nginx:1.27
    volumes:
      - ./site:/usr/share/nginx/html:ro
      - /var/run/docker.sock:/var/run/docker.sock
  app{i}:
    build:
      context: .
    volumes:
      - ./uploads:/srv/uploads
  search:
    image: elasticsearch:8.15.0
  worker:
    image: example/worker:{i}
    volumes_from: [app{i}]
volumes:
  db-data:
  unused-{i}:
"""

MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api-{i}
spec:
  replicas: 3
  selector:
    matchLabels: {{app: api}}
  template:
    metadata:
      labels: {{app: api}}
    spec:
      containers:
        - name: api
          image: example/api:{i}
          volumeMounts:
            - {{name: data, mountPath: /data}}
            - {{name: etc, mountPath: /host/etc, readOnly: true}}
      volumes:
        - name: data
          persistentVolumeClaim: {{claimName: api-data-{i}}}
        - name: etc
          hostPath: {{path: /etc}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: api-data-{i}
spec:
  accessModes: [ReadWriteOnce]
  resources: {{requests: {{storage: 1Gi}}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: pg-{i}
spec:
  serviceName: pg
  replicas: 1
  selector:
    matchLabels: {{app: pg}}
  template:
    metadata:
      labels: {{app: pg}}
    spec:
      containers:
        - name: pg
          image: postgres:17
          volumeMounts:
            - {{name: data, mountPath: /var/lib/postgresql/data}}
  volumeClaimTemplates:
    - metadata: {{name: data}}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {{requests: {{storage: 10Gi}}}}
---
apiVersion: v1
kind: Service
metadata:
  name: pg-{i}
spec:
  clusterIP: None
  selector: {{app: pg}}
"""

DOCKERFILE = """# syntax=docker/dockerfile:1.7
ARG BASE=python:3.12-slim
FROM ${{BASE}} AS build
RUN --mount=type=cache,target=/root/.cache pip install --prefix=/install flask
FROM ${{BASE}}
COPY --from=build /install /usr/local
ENV DATA=/srv/data
VOLUME ["/srv/data"]
RUN mkdir -p $DATA/uploads && chown 1000 $DATA
USER 1000
CMD ["python", "-m", "flask", "run"]
"""

for i in range(projects):
    d = os.path.join(out, f"project-{i:04d}")
    os.makedirs(os.path.join(d, "k8s"), exist_ok=True)
    with open(os.path.join(d, "compose.yaml"), "w") as f:
        f.write(COMPOSE.format(i=i))
    with open(os.path.join(d, "k8s", "app.yaml"), "w") as f:
        f.write(MANIFEST.format(i=i))
    with open(os.path.join(d, "Dockerfile"), "w") as f:
        f.write(DOCKERFILE.format(i=i))
print(f"{projects * 3} files in {out}")

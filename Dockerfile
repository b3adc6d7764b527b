# syntax=docker/dockerfile:1
# MatDiscover image (CPU): the API server and the job-queue workers.
#   docker build -t matdiscover:0.1.0 .
#   API:    docker run -e MATDISCOVER_DATABASE_URL=... -e MATDISCOVER_SECRET_KEY=... -p 8000:8000 matdiscover:0.1.0
#   worker: docker run -e MATDISCOVER_DATABASE_URL=... matdiscover:0.1.0 worker --queue default
# GPU workers: Dockerfile.gpu. Compose: compose.yaml; Kubernetes: deploy/k8s.
# Base images are pinned by tag; pin by digest (name:tag@sha256:...) for reproducible builds.

# --- 1. the web UI (frontend/dist, served by the API at /) ------------------------------
FROM node:20.20.2-bookworm-slim AS frontend
WORKDIR /build/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ ./
RUN npm run build

# --- 2. the Python environment ------------------------------------------------------------
FROM python:3.11.13-slim-bookworm AS python
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# torch first, from the CPU wheel index (the default PyPI wheel pulls in CUDA, several GB)
RUN pip install --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0"
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY src/ src/
# editable: the package finds data/ and frontend/dist beside src/, as in a checkout
RUN pip install -e . "torch==2.13.0"

# --- 3. the runtime image -----------------------------------------------------------------
FROM python:3.11.13-slim-bookworm AS runtime
# libgomp1: OpenMP runtime of LightGBM and torch
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 matdiscover \
    && useradd --uid 10001 --gid 10001 --create-home --home-dir /home/matdiscover \
        --shell /usr/sbin/nologin matdiscover \
    && mkdir -p /data \
    && chown 10001:10001 /data
COPY --from=python /opt/venv /opt/venv
COPY --from=python /app /app
COPY data/ /app/data/
COPY --from=frontend /build/frontend/dist /app/frontend/dist
WORKDIR /app
# Server mode in a container: bind all interfaces (authentication is then always on),
# no workers inside the API container (they run as their own containers), worker metrics
# on 0.0.0.0:9101. Secrets (MATDISCOVER_SECRET_KEY, MATDISCOVER_DATABASE_URL,
# MATDISCOVER_METRICS_TOKEN) come from the environment at run time, never from the image.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    OMP_NUM_THREADS=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    MATDISCOVER_DATA_DIR=/data \
    MATDISCOVER_HOST=0.0.0.0 \
    MATDISCOVER_PORT=8000 \
    MATDISCOVER_WORKERS=0 \
    MATDISCOVER_AUTH=required \
    MATDISCOVER_WORKER_METRICS_HOST=0.0.0.0 \
    MATDISCOVER_WORKER_METRICS_PORT=9101
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000 9101
# The API's liveness and database check (503 when PostgreSQL is unreachable). Worker
# containers override it with their metrics port (compose.yaml, deploy/k8s).
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('MATDISCOVER_PORT', '8000') + '/api/v1/health', timeout=4)"]
ENTRYPOINT ["matdiscover"]
# The API in server mode against the external database MATDISCOVER_DATABASE_URL
# (migrations are applied at start).
CMD ["serve", "--host", "0.0.0.0", "--workers", "0"]

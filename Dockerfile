# gql-media: one image for the API (`gql-media serve`) and the workers
# (`arq worker.WorkerSettings`); docker-compose.yml runs both.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    GQL_MEDIA_DATA_DIR=/data

# ffmpeg and ffprobe probe and thumbnail every asset.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 gql-media \
    && useradd --system --uid 10001 --gid gql-media --home-dir /app \
        --shell /usr/sbin/nologin gql-media \
    && mkdir -p /app /data \
    && chown gql-media:gql-media /app /data

# The locked dependencies first, so a code change does not reinstall them.
COPY requirements.lock /tmp/requirements.lock
RUN pip install -r /tmp/requirements.lock && rm /tmp/requirements.lock

# The package itself, built outside /app so the source tree does not shadow the
# installed copy. The README glob lets the build go on when the file is absent.
COPY pyproject.toml README.md* /src/
COPY gql_media /src/gql_media
RUN pip install --no-deps /src && rm -rf /src

WORKDIR /app
# arq imports `worker` from the working directory.
COPY worker.py /app/worker.py

USER gql-media
# A named volume mounted here starts with the ownership set above.
VOLUME ["/data"]
EXPOSE 8000

# slim has no curl: ask Python. urlopen raises (exit 1) on anything but 2xx.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["sh", "-c", "gql-media migrate && exec gql-media serve --host 0.0.0.0 --port 8000"]

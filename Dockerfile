# Golden Hour in a container: the same production install (`make install`: requirements.lock,
# no dev tools) and the same command (`python -m bot run`) the tests run.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GOLDENHOUR_HOME=/app \
    DATABASE_PATH=/data/goldenhour.sqlite3 \
    BACKUP_DIR=/data/backups \
    HEARTBEAT_FILE=/data/heartbeat

RUN apt-get update && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin golden-hour

WORKDIR /app
COPY . /app
RUN make install PYTHON=python3.11 \
    && mkdir -p /data && chown golden-hour:golden-hour /data

USER golden-hour
VOLUME ["/data"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["/app/.venv/bin/python", "-m", "bot", "health"]
ENTRYPOINT ["/app/.venv/bin/python", "-m", "bot"]
CMD ["run"]

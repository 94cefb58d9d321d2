# syntax=docker/dockerfile:1
# Every package comes from requirements/lock.txt with its hash checked (refresh: bash scripts/lock.sh);
# the project itself is installed without resolving anything. No embedded PostgreSQL in the image:
# database.url points at a real server (docker-compose.yml runs one).
FROM python:3.11-slim AS build
RUN python -m venv /opt/minegnk
WORKDIR /src
COPY requirements/lock.txt requirements/lock.txt
RUN /opt/minegnk/bin/pip install --no-cache-dir --disable-pip-version-check --require-hashes \
        -r requirements/lock.txt
COPY pyproject.toml README.md ./
COPY bot bot
COPY integrations integrations
COPY migrations migrations
RUN /opt/minegnk/bin/pip install --no-cache-dir --disable-pip-version-check --no-deps \
        --no-build-isolation .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 minegnk
COPY --from=build /opt/minegnk /opt/minegnk
WORKDIR /app
COPY migrations /app/migrations
COPY config.toml /app/config.toml
ENV PATH=/opt/minegnk/bin:$PATH \
    MINEGNK_MIGRATIONS_DIR=/app/migrations \
    MINEGNK_CONFIG=/app/config.toml \
    PYTHONUNBUFFERED=1
USER minegnk
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)" || exit 1
ENTRYPOINT ["minegnk-bot"]
CMD ["run"]

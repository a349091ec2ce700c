# The LiveHub web image: Daphne serving the ASGI application (HTTP API, admin, websockets).
# docker-compose.yml runs two replicas of it behind nginx, plus a one-shot `migrate` service.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so that code changes do not reinstall them.
COPY requirements.lock ./
RUN pip install -r requirements.lock

RUN groupadd --system livehub && useradd --system --gid livehub --home-dir /app --no-create-home livehub

COPY . .

# Static files are collected into the image (STATIC_ROOT is var/static) and served by WhiteNoise.
# collectstatic needs no database and no secret: settings fall back to their embedded defaults.
RUN python manage.py collectstatic --noinput \
    && chown -R livehub:livehub /app/var

USER livehub
EXPOSE 8000

CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "livehub.asgi:application"]

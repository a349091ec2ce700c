# The LiveHub web image: Uvicorn serving the ASGI application (HTTP API, admin, websockets).
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

# The French and Dutch catalogues compiled (GNU gettext's msgfmt, removed again after).
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && python manage.py compilemessages --ignore=.venv -v0 \
    && apt-get purge -y gettext && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*

# Static files are collected into the image (STATIC_ROOT is var/static) and served by WhiteNoise.
# collectstatic needs no database and no secret: settings fall back to their embedded defaults.
RUN python manage.py collectstatic --noinput \
    && chown -R livehub:livehub /app/var

USER livehub
EXPOSE 8000

# Uvicorn with its sans-I/O websockets: measured cheapest per delivered frame (docs/performance.md);
# Daphne stays the development server (`make run`). No per-message deflate: it would compress
# every frame once per socket. No access log and no INFO log: both would keep client addresses
# and URLs with attendee tokens and role keys (nginx keeps a private access log). X-Forwarded-For
# is trusted only from the proxy's address, $FORWARDED_ALLOW_IPS (Uvicorn's default: 127.0.0.1;
# docker-compose.yml sets nginx's): anyone else who reaches the port cannot pick the address
# that the join and sign-in limits count.
CMD ["uvicorn", "livehub.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--ws", "websockets-sansio", "--ws-per-message-deflate", "false", "--proxy-headers", "--no-access-log", "--log-level", "warning", "--lifespan", "off"]

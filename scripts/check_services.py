"""Before the tests: are PostgreSQL and Redis reachable? If not, say how to start them."""

import os
import sys

import psycopg
import redis

database_url = os.environ["DATABASE_URL"]
redis_url = os.environ["REDIS_URL"]
problems = []
try:
    # The server's own database: pytest creates the test database beside it.
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3):
        pass
except psycopg.Error as error:
    problems.append(
        f"PostgreSQL is not reachable at {database_url} ({str(error).strip().splitlines()[0]}).\n"
        "  Start it, e.g.: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"
        "  or: docker compose up -d postgres (then set DATABASE_URL), or point DATABASE_URL at one."
    )
try:
    redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
except redis.RedisError as error:
    problems.append(
        f"Redis is not reachable at {redis_url} ({error}).\n"
        "  Start it, e.g.: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ''\n"
        "  or: docker compose up -d redis (then set REDIS_URL), or point REDIS_URL at one."
    )
if problems:
    print("The tests need a real PostgreSQL and a real Redis.\n\n" + "\n\n".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"PostgreSQL and Redis are reachable ({database_url.rsplit('@', 1)[-1]}, {redis_url.rsplit('@', 1)[-1]}).")

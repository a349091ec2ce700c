from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from livehub.realtime import redis as lhredis

# A health check waits this long for a pooled connection: a balancer's probe must not hang for the
# pool's full timeout while PostgreSQL is away.
HEALTH_WAIT = 1.0


def _database_ok() -> bool:
    try:
        pool = getattr(connection, "pool", None)
        if pool is not None:
            pool.open()
            with pool.connection(timeout=HEALTH_WAIT) as raw:
                return raw.execute("SELECT 1").fetchone() == (1,)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "down" to a health check
        return False


def _redis_ok() -> bool:
    try:
        return bool(lhredis.health_client(settings.REDIS_URL).ping())
    except Exception:  # noqa: BLE001 - any failure means "down" to a health check
        return False


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Reachability of what a live congress needs; 503 when one of them is down."""
    checks = {"database": "ok" if _database_ok() else "down"}
    if settings.REDIS_URL:
        checks["redis"] = "ok" if _redis_ok() else "down"
    else:
        checks["redis"] = "not used (single process, in-memory layer)"
    healthy = "down" not in checks.values()
    return JsonResponse({"status": "ok" if healthy else "down", **checks}, status=200 if healthy else 503)

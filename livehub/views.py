import hmac
import ipaddress
from functools import cache

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from livehub import metrics as lhmetrics
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


@cache
def _networks(allowed: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in allowed)


def _address_allowed(address: str, allowed: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in _networks(allowed))


def _refused(status: int, code: str, message: str) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
    return response


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """This process's operator metrics for Prometheus. Each configured check must pass: the
    address allow-list, the bearer token. With neither configured it does not exist (404)."""
    token, allowed = settings.LIVEHUB_METRICS_TOKEN, tuple(settings.LIVEHUB_METRICS_ALLOW)
    if not token and not allowed:
        raise Http404
    if allowed and not _address_allowed(request.META.get("REMOTE_ADDR") or "", allowed):
        return _refused(403, "forbidden", "This address may not read the metrics.")
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return _refused(401, "unauthorized", "A bearer token is required: Authorization: Bearer <token>.")
        # Bytes: compare_digest refuses str with non-ASCII characters, and a typo must not be a 500.
        if not hmac.compare_digest(given.strip().encode(), token.encode()):
            return _refused(403, "forbidden", "That token does not open the metrics.")
    body, content_type = lhmetrics.exposition()
    return HttpResponse(body, content_type=content_type)

"""The delivery worker: claims due rows with SELECT … FOR UPDATE SKIP LOCKED and sends each.

The row stays locked, in the claiming transaction, while its request is in flight: the lock is
the lease. Several workers never send one row at once, and a worker killed mid-request loses its
connection, PostgreSQL rolls the claim back, and the row is due again at once (at-least-once: the
receiver drops repeats by the delivery id). An attempt cut short that way is not counted.
"""

import logging
import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import urllib3
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from livehub.errors import Invalid

from .addresses import Target, resolve
from .models import Delivery
from .signing import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, TYPE_HEADER, signature

log = logging.getLogger(__name__)
State = Delivery.State
_jitter = random.Random()


def now() -> datetime:
    return timezone.now()


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: doubling from BACKOFF_BASE up to
    BACKOFF_CAP, each drawn between half and all of it (jitter, so that an endpoint that comes
    back is not hit by every queued delivery in the same second)."""
    config = settings.LIVEHUB_WEBHOOKS
    ceiling = min(config["BACKOFF_CAP"], config["BACKOFF_BASE"] * 2 ** (attempts - 1))
    return timedelta(seconds=ceiling / 2 + _jitter.random() * ceiling / 2)


@dataclass(frozen=True)
class Outcome:
    status: int | None = None
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _post(target: Target, *, body: bytes, headers: dict[str, str]) -> int:
    """POST to the checked address; the name goes in Host and, over TLS, as server name (SNI and
    the certificate's check). No redirect is followed: it could lead anywhere."""
    config = settings.LIVEHUB_WEBHOOKS
    timeout = urllib3.Timeout(total=config["TIMEOUT"])
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.ip, target.port, timeout=timeout, retries=False, server_hostname=target.host,
            assert_hostname=target.host, cert_reqs="CERT_REQUIRED", ca_certs=config["CA_BUNDLE"] or None,
        )  # fmt: skip
    else:
        pool = urllib3.HTTPConnectionPool(target.ip, target.port, timeout=timeout, retries=False)
    with pool:
        response = pool.urlopen(
            "POST", target.path, body=body, headers={**headers, "Host": target.host_header},
            redirect=False, retries=False, preload_content=False, assert_same_host=False,
        )  # fmt: skip
        response.drain_conn()
        return response.status


def send(delivery: Delivery) -> Outcome:
    try:
        target = resolve(delivery.endpoint.url)  # again: DNS may have changed since registration
    except Invalid as error:
        return Outcome(error=error.message[:300])
    timestamp = int(time.time())
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "LiveHub-Webhooks/1",
        DELIVERY_HEADER: str(delivery.id),
        TYPE_HEADER: delivery.type,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret=delivery.endpoint.secret, timestamp=timestamp, body=body),
    }
    try:
        return Outcome(status=_post(target, body=body, headers=headers))
    except urllib3.exceptions.HTTPError as error:
        return Outcome(error=f"{error.__class__.__name__}: {error}"[:300])


def _record(delivery: Delivery, outcome: Outcome) -> None:
    delivery.attempts += 1
    delivery.last_status = outcome.status
    delivery.last_error = outcome.error or ("" if outcome.delivered else f"HTTP {outcome.status}")
    if outcome.delivered:
        delivery.state, delivery.delivered_at = State.DELIVERED, now()
    elif delivery.attempts >= settings.LIVEHUB_WEBHOOKS["ATTEMPTS"]:
        delivery.state = State.FAILED
    else:
        delivery.next_attempt_at = now() + backoff(delivery.attempts)
    delivery.save(update_fields=["attempts", "last_status", "last_error", "state", "delivered_at", "next_attempt_at"])


def deliver_next() -> Delivery | None:
    """Claim one due delivery, send it and record the outcome; None when nothing is due."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(state=State.PENDING, next_attempt_at__lte=now())
            .order_by("next_attempt_at")
            .first()
        )
        if delivery is None:
            return None
        if not delivery.endpoint.active:
            delivery.state, delivery.last_error = State.FAILED, "endpoint deactivated"
            delivery.save(update_fields=["state", "last_error"])
            return delivery
        outcome = send(delivery)
        _record(delivery, outcome)
        log.info("webhook %s %s to %s: %s", delivery.id, delivery.type, delivery.endpoint_id, outcome)
        return delivery


def run(*, stop: threading.Event, concurrency: int, idle: float) -> None:
    """Deliver until `stop` is set, `concurrency` rows at a time; look again every `idle` seconds
    when the queue holds nothing due."""

    def loop() -> None:
        while not stop.is_set():
            try:
                busy = deliver_next() is not None
            except Exception:  # the database may be away for a while: log it and keep the worker up
                log.exception("webhook delivery round failed")
                busy = False
            finally:
                connection.close()  # back to the pool between rounds
            if not busy:
                stop.wait(idle)

    threads = [threading.Thread(target=loop, name=f"webhooks-{n}") for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

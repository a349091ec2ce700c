"""The queue survives a worker killed mid-delivery: after a restart the delivery is sent again
(at-least-once) and the receiver, dropping repeats by the delivery id, acts on it once."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings

from tests.integration.conftest import ROOT, database_url
from webhooks.models import Delivery
from webhooks.signing import DELIVERY_HEADER

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def start_worker(tmp_path) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "livehub.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "LIVEHUB_WEBHOOKS_ALLOW_PRIVATE": "true",
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_webhooks", "--idle", "0.2"],
        cwd=ROOT,
        env=environment,
        stdout=(tmp_path / "worker.log").open("a"),
        stderr=subprocess.STDOUT,
    )


def delivered(delivery_id, worker, tmp_path, within: float = 60) -> Delivery:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        delivery = Delivery.objects.get(pk=delivery_id)
        if delivery.state != "pending":
            return delivery
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
        time.sleep(0.1)
    raise AssertionError(f"not delivered: {(tmp_path / 'worker.log').read_text()[-2000:]}")


def test_a_worker_killed_mid_delivery_delivers_once_after_restart(tmp_path, endpoint, receiver, attendee, approved):
    receiver.hold = True
    approved(attendee)
    delivery_id = Delivery.objects.get().pk
    worker = start_worker(tmp_path)
    try:
        assert receiver.holding.wait(60), (tmp_path / "worker.log").read_text()
        worker.send_signal(signal.SIGKILL)  # while the receiver holds the request
        worker.wait(10)
        receiver.release.set()
        assert Delivery.objects.get(pk=delivery_id).state == "pending"  # the claim died with it
        worker = start_worker(tmp_path)
        delivery = delivered(delivery_id, worker, tmp_path)
        worker.send_signal(signal.SIGTERM)  # as systemd and compose stop it: it finishes and exits
        assert worker.wait(30) == 0, (tmp_path / "worker.log").read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    assert delivery.state == "delivered" and delivery.attempts == 1  # the cut attempt is not counted
    ids = [request["headers"][DELIVERY_HEADER] for request in receiver.requests]
    assert ids == [str(delivery_id)] * 2  # sent twice: at least once
    assert list(receiver.effects) == [str(delivery_id)]  # acted on once: the receiver drops the repeat
    assert receiver.bad_signatures == 0

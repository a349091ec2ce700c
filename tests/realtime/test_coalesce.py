"""Coalescing: marks flushed together, and no flush left running when a test ends."""

import threading
import time

import pytest

from livehub.metrics import REGISTRY
from livehub.realtime.audience import audience_register
from livehub.realtime.coalesce import Coalescer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def recorder():
    flushed: list[tuple[int, list[str]]] = []
    done = threading.Event()

    def flush(event_id: int, keys: list[str]) -> None:
        flushed.append((event_id, keys))
        done.set()

    coalescer = Coalescer("test", flush, interval=0.2)
    yield coalescer, flushed, done
    Coalescer.registry.remove(coalescer)


def test_marks_within_an_interval_are_flushed_together(recorder):
    coalescer, flushed, done = recorder
    for key in ("2", "1", "2"):
        coalescer.mark(501, key)
    assert done.wait(3)
    assert flushed == [(501, ["1", "2"])]


def test_cancelling_drops_the_flushes_not_started_and_leaves_no_thread(recorder):
    coalescer, flushed, done = recorder
    coalescer.mark(502, "1")
    Coalescer.cancel_all()
    assert not coalescer._timers
    assert not done.wait(0.5) and flushed == []


def test_a_flush_of_marks_is_counted_once_for_the_operator(recorder):
    coalescer, flushed, done = recorder

    def counted() -> float:
        return REGISTRY.get_sample_value("livehub_coalescer_flushes_total", {"coalescer": "test"}) or 0

    before = counted()
    for key in ("1", "2", "3"):
        coalescer.mark(503, key)
    assert done.wait(3)
    deadline = time.monotonic() + 3  # counted just after the flush returns, on its thread
    while counted() == before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert counted() == before + 1 and len(flushed) == 1


@pytest.mark.parametrize("scripts", ["loaded", "flushed"])
def test_a_mark_sent_with_its_publish_is_flushed_even_after_redis_lost_its_scripts(recorder, settings, scripts):
    """A vote's mark travels in its publish's round trip; Redis restarted empty must not lose it."""
    from livehub.realtime import redis as lhredis
    from livehub.realtime.broker import INFLIGHT_KEY, get_broker

    coalescer, flushed, done = recorder
    client = lhredis.sync_client(settings.REDIS_URL)
    coalescer.mark(504, "0")  # the scripts are known
    assert done.wait(3)
    flushed.clear()
    done.clear()
    if scripts == "flushed":
        client.script_flush()  # as after a Redis restart
    client.zadd(INFLIGHT_KEY, {"504:abc": 1.0})
    get_broker().publish(
        event_id=504, stream="public", type="x", data_text="{}", inflight="504:abc", mark=(coalescer, "7")
    )
    assert done.wait(3)
    assert flushed == [(504, ["7"])]
    assert client.zscore(INFLIGHT_KEY, "504:abc") is None


class _Audience:
    """A hub of `n` sockets of one event, registered as the process's hubs are."""

    def __init__(self, event_id: int, n: int) -> None:
        self.event_id, self.n = event_id, n

    def sockets_of(self, event_id: int) -> int:
        return self.n if event_id == self.event_id else 0


@pytest.fixture
def scheduled(monkeypatch):
    """The delays flushes are scheduled with; the clock stopped (no timer runs)."""
    delays: list[float] = []

    class StoppedTimer:
        def __init__(self, interval, function, args=()):
            delays.append(interval)

        def start(self) -> None:
            pass

    monkeypatch.setattr("livehub.realtime.coalesce.threading.Timer", StoppedTimer)
    return delays


@pytest.fixture
def audience():
    hubs = []

    def serve(event_id: int, n: int) -> None:
        hub = _Audience(event_id, n)
        hubs.append(hub)  # registered weakly: kept alive for the test
        audience_register(hub)

    return serve


@pytest.mark.parametrize(
    ("sockets", "seconds"), [(0, 0.2), (1000, 0.2), (5000, 0.5), (10000, 1.0), (50000, 1.0)], ids=str
)
def test_a_larger_audience_in_this_process_is_flushed_less_often_up_to_once_a_second(
    recorder, scheduled, audience, settings, sockets, seconds
):
    settings.LIVEHUB_COALESCED_DELIVERIES_PER_SECOND = 10000
    coalescer, _flushed, _done = recorder
    audience(505, sockets)
    coalescer.mark(505, "1")
    assert scheduled == [pytest.approx(seconds)]


def test_the_audience_of_another_event_does_not_slow_this_ones_flushes(recorder, scheduled, audience):
    coalescer, _flushed, _done = recorder
    audience(506, 20000)
    coalescer.mark(507, "1")
    assert scheduled == [pytest.approx(0.2)]


def test_the_audiences_of_every_hub_of_the_process_add_up(recorder, scheduled, audience, settings):
    settings.LIVEHUB_COALESCED_DELIVERIES_PER_SECOND = 1000
    coalescer, _flushed, _done = recorder
    audience(508, 300)
    audience(508, 400)
    coalescer.mark(508, "1")
    assert scheduled == [pytest.approx(0.7)]


@pytest.mark.parametrize(("took", "due_in"), [(0.15, 0.05), (0.3, 0.0)], ids=["shorter", "longer"])
def test_the_next_flush_is_due_an_interval_after_the_last_one_began(scheduled, monkeypatch, took, due_in):
    """Clients get totals at an even pace: a slow flush does not push the next one back."""
    clock = [100.0]
    monkeypatch.setattr("livehub.realtime.coalesce.time.monotonic", lambda: clock[0])

    def flush(event_id: int, keys: list[str]) -> None:
        coalescer.mark(event_id, "2")  # more came in meanwhile
        clock[0] += took

    coalescer = Coalescer("paced", flush, interval=0.2)
    try:
        coalescer.mark(509 if took < 0.2 else 510, "1")
        coalescer._run(509 if took < 0.2 else 510)  # the stopped timer's turn
    finally:
        Coalescer.registry.remove(coalescer)
    assert scheduled == [pytest.approx(0.2), pytest.approx(due_in)]

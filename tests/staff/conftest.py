import pytest

from staff import throttle


@pytest.fixture(autouse=True)
def _no_counts_in_memory():
    """The embedded default counts in this process's memory: every test starts with none."""
    throttle._memory.clear_all()
    yield
    throttle._memory.clear_all()


@pytest.fixture
def signin_clock(monkeypatch):
    """The sign-in rule's clock, stopped; move it on with `signin_clock[0] += seconds`."""
    now = [throttle.now()]
    monkeypatch.setattr(throttle, "now", lambda: now[0])
    return now


@pytest.fixture(params=["redis", "memory"])
def counted(request, settings):
    """Each rule is checked with Redis (several processes) and without (the embedded default)."""
    if request.param == "memory":
        settings.REDIS_URL = ""
    return request.param


def sign_in(client, username, password, *, path="/accounts/login/", address="127.0.0.1"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def lock_moderator(client):
    """Five wrong passwords: the demo moderator is locked out."""
    for attempt in range(5):
        sign_in(client, "moderator", f"guess-{attempt}")
    assert sign_in(client, "moderator", "sfh2022-moderator").status_code == 429

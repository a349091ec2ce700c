import pytest

from reactions import services
from sessions import services as sessions_services


@pytest.fixture(autouse=True)
def on_now(event, roundtable):
    """The round table is running; each test reads the sessions on now afresh."""
    sessions_services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    services.sessions_on_now_forget()
    yield
    services.sessions_on_now_forget()

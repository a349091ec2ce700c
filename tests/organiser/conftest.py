import pytest
from django.contrib.auth import get_user_model

from organiser.services import organiser_create

PASSWORD = "a long organiser passphrase"


@pytest.fixture
def organiser_user(db):
    return organiser_create(username="olivia", password=PASSWORD)


@pytest.fixture
def organiser(client, organiser_user):
    client.force_login(organiser_user)
    return client


@pytest.fixture
def plain_user(db):
    return get_user_model().objects.create_user("plain", password=PASSWORD)

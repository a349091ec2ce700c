"""A command's sender as one stable text: what the socket stamps on receipts is what a purge finds."""

import pytest

from livehub.realtime.auth import authenticate
from livehub.realtime.models import CommandReceipt
from sessions.actors import account_actor, actors_of_event, participant_actor, role_link_actor
from sessions.rolelinks import role_key_make
from sessions.services import participant_join

pytestmark = pytest.mark.django_db


def test_each_kind_of_socket_is_stamped_with_its_sender(event, attendee, moderator_user):
    key = role_key_make(event=event, role="moderator", hours=1)
    assert authenticate(code=event.code, token=attendee.token, key=None).actor == participant_actor(attendee.pk)
    by_link = authenticate(code=event.code, token=None, key=key)
    assert by_link.actor == role_link_actor(event_id=event.pk, role="moderator", key=key)
    signed_in = authenticate(code=event.code, token=None, key=None, user=moderator_user)
    assert signed_in.actor == account_actor(event_id=event.pk, user_id=moderator_user.pk)
    # Staff who also joined act as that participant (one sender for `ref` retries).
    assert authenticate(code=event.code, token=attendee.token, key=key).actor == participant_actor(attendee.pk)


def test_every_sender_of_an_event_is_found_and_nobody_elses(event, another_event, attendee, moderator_user):
    stranger, _ = participant_join(event=another_event, name="Zoe", mode="online")
    ours = {
        participant_actor(attendee.pk),
        role_link_actor(event_id=event.pk, role="moderator", key="k" * 40),
        account_actor(event_id=event.pk, user_id=moderator_user.pk),
    }
    theirs = {
        participant_actor(stranger.pk),
        role_link_actor(event_id=another_event.pk, role="moderator", key="k" * 40),
        account_actor(event_id=another_event.pk, user_id=moderator_user.pk),
    }
    for actor in ours | theirs:
        CommandReceipt.objects.create(actor=actor, ref="r1", type="participant.update", reply={})
    found = CommandReceipt.objects.filter(actors_of_event(event_id=event.pk, participant_ids=[attendee.pk]))
    assert set(found.values_list("actor", flat=True)) == ours

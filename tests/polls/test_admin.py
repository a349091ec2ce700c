"""The admin edits a poll only as the console does: while it is a draft."""

import pytest

from polls.models import Option

pytestmark = pytest.mark.django_db


def inline_form(poll, labels, *, prompt="Changed?", extra=()):
    options = list(poll.options.all())
    form = {
        "event": poll.event_id,
        "session": poll.session_id or "",
        "kind": poll.kind,
        "prompt": prompt,
        "order": 0,
        "options-TOTAL_FORMS": len(options) + len(extra),
        "options-INITIAL_FORMS": len(options),
        "options-MIN_NUM_FORMS": 0,
        "options-MAX_NUM_FORMS": 1000,
    }
    for index, (option, label) in enumerate(zip(options, labels, strict=True)):
        form |= {f"options-{index}-id": option.pk, f"options-{index}-poll": poll.pk}
        form |= {f"options-{index}-label": label, f"options-{index}-order": index}
    for index, label in enumerate(extra, start=len(options)):
        form |= {f"options-{index}-poll": poll.pk, f"options-{index}-label": label, f"options-{index}-order": index}
    return form


def test_a_draft_polls_prompt_and_options_can_be_edited(admin_client, make_poll):
    poll = make_poll(open_=False)
    page = admin_client.post(f"/admin/polls/poll/{poll.pk}/change/", inline_form(poll, ["A", "B", "C"], extra=["D"]))
    assert page.status_code == 302, page.content.decode()[:2000]
    poll.refresh_from_db()
    assert poll.prompt == "Changed?"
    assert list(poll.options.values_list("label", flat=True)) == ["A", "B", "C", "D"]


@pytest.mark.parametrize("close", [False, True])
def test_an_opened_polls_prompt_and_options_stay_as_answered(admin_client, make_poll, event, close):
    from polls import services

    poll = make_poll()
    if close:
        services.poll_close(event_id=event.pk, poll_id=poll.pk, actor="Mo")
    before = list(Option.objects.filter(poll=poll).values_list("pk", "label"))
    page = admin_client.get(f"/admin/polls/poll/{poll.pk}/change/")
    assert page.status_code == 200
    assert b'name="prompt"' not in page.content and b'name="options-0-label"' not in page.content
    admin_client.post(f"/admin/polls/poll/{poll.pk}/change/", inline_form(poll, ["A", "B", "C"], extra=["D"]))
    poll.refresh_from_db()
    assert poll.prompt == "Who should pay for one-shot gene therapies?"
    assert list(Option.objects.filter(poll=poll).values_list("pk", "label")) == before

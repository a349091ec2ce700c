"""Which language a person reads: the switch's cookie, else the browser's, else the event's, else
English; the pages' <html lang>, the server's messages on the socket and the API."""

import re

import pytest
from channels.db import database_sync_to_async

from livehub.i18n import preferred_language, socket_language
from sessions.rolelinks import role_key_make
from tests.helpers import ORIGIN, Socket

pytestmark = pytest.mark.django_db


def html_lang(response) -> str:
    match = re.search(rb'<html lang="([^"]*)">', response.content)
    assert match, "the page has no <html lang>"
    return match.group(1).decode()


def test_a_french_browser_gets_the_landing_page_in_french(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-BE,fr;q=0.9,en;q=0.5")
    assert html_lang(page) == "fr"
    assert "Rejoindre la session en direct" in page.content.decode()
    assert page["Content-Language"] == "fr" and "Accept-Language" in page["Vary"]


def test_a_dutch_browser_gets_the_attend_page_in_dutch(client, event):
    page = client.get(f"/e/{event.code}/", HTTP_ACCEPT_LANGUAGE="nl-BE")
    assert html_lang(page) == "nl"


def test_the_switch_outranks_the_browser(client):
    client.cookies["django_language"] = "nl"
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert html_lang(page) == "nl" and "Taal" in page.content.decode()


def test_the_switch_on_a_server_page_remembers_the_choice_and_returns(client):
    client.get("/")  # the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/?code=X"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302 and response["Location"] == "/?code=X"
    assert response.cookies["django_language"].value == "fr"
    assert response.cookies["django_language"]["max-age"] == 365 * 24 * 3600
    assert html_lang(client.get("/")) == "fr"


def test_the_switch_marks_the_active_language(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert re.search(r'value="nl" lang="nl"[^>]*aria-current="true"', page)
    assert not re.search(r'value="fr" lang="fr"[^>]*aria-current', page)


def test_an_unsupported_browser_language_falls_back_to_the_event_default(client, event):
    event.languages = ["nl", "fr"]
    event.save()
    assert html_lang(client.get(f"/e/{event.code}/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")) == "nl"
    # Then English, where no event is concerned.
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE")) == "en"


def test_the_projector_speaks_the_event_language_whatever_the_browser(client, event):
    event.languages = ["fr", "nl"]
    event.save()
    key = role_key_make(event=event, role="screen", hours=1)
    page = client.get(f"/e/{event.code}/screen/?key={key}", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert html_lang(page) == "fr"
    assert "Rejoindre" in page.content.decode()  # the QR code's title


def test_a_refused_role_link_is_explained_in_the_person_s_language(client, event):
    page = client.get(f"/e/{event.code}/moderate/?key=forged", HTTP_ACCEPT_LANGUAGE="nl")
    assert page.status_code == 403 and html_lang(page) == "nl"
    assert "Deze rollink is niet geldig" in page.content.decode()


def test_an_api_error_speaks_the_browser_language(client):
    response = client.post(
        "/api/events/NOPE/join", data={"mode": "room"}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Il n'y a pas d'événement avec le code «\u00a0NOPE\u00a0»."


def test_an_unknown_event_page_is_in_the_browser_language(client, db):
    page = client.get("/e/NOPE/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 404 and "Aucun événement" in page.content.decode()


def test_language_rule():
    assert preferred_language(cookie=None, accept_language="de, nl-BE;q=0.8, fr;q=0.5") == "nl"
    assert preferred_language(cookie="fr", accept_language="nl") == "fr"
    assert preferred_language(cookie="xx", accept_language="*") is None
    headers = [(b"cookie", b"a=1; django_language=nl"), (b"accept-language", b"fr")]
    assert socket_language(headers) == "nl"
    assert socket_language([(b"accept-language", b"de")], ["fr"]) == "fr"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_stopped")
async def test_the_socket_refuses_in_the_page_language_and_the_switch_outranks_it(event, roundtable, join):
    author = await database_sync_to_async(join)()
    french = await Socket.open(token=author.token, lang="fr")
    reply = await french.send("question.ask", {"session": roundtable.pk, "text": "Hm"})
    assert reply["type"] == "error" and reply["error"]["message"] == "Les données de la commande ne sont pas valides."
    await french.close()
    chosen = await Socket.open(token=author.token, lang="fr", headers=[ORIGIN, (b"cookie", b"django_language=nl")])
    reply = await chosen.send("question.ask", {"session": roundtable.pk, "text": "Hm"})
    assert reply["error"]["message"] == "De gegevens van de opdracht zijn niet geldig."
    await chosen.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_stopped")
async def test_a_refused_command_names_each_field_s_problem_in_the_socket_s_language(event, roundtable, join):
    author = await database_sync_to_async(join)()
    french = await Socket.open(token=author.token, lang="fr")
    reply = await french.send("question.ask", {"session": roundtable.pk, "text": "Pourquoi ? " * 50, "extra": 1})
    assert reply["error"]["code"] == "invalid"
    assert reply["error"]["fields"] == {"text": "Au plus 500 caractères.", "extra": "Ce champ n'est pas attendu."}
    await french.close()


def test_a_refused_request_names_each_field_s_problem_in_the_browser_s_language(client, event):
    response = client.post(
        f"/api/events/{event.code}/join",
        data={"mode": "hall", "name": "N" * 61},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "mode": "Kies een van: 'room', 'online'.",
        "name": "Hoogstens 60 tekens.",
    }

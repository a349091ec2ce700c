"""pydantic's refusals as reasons a person reads: ours, translated, with the schema's limits, and
never pydantic's English."""

import pytest
from django.utils import translation
from pydantic import ValidationError

from livehub.realtime.registry import COMMANDS
from livehub.validation import REFUSED, reason, reasons


def refusal(command: str, data: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as error:
        COMMANDS[command].schema.model_validate(data)
    return reasons(error.value.errors(include_url=False, include_input=False), whole="data")


@pytest.mark.parametrize(
    ("command", "data", "expected"),
    [
        ("question.ask", {"session": 1}, {"text": "Ce champ est obligatoire."}),
        ("question.ask", {"session": 1, "text": "x" * 501}, {"text": "Au plus 500 caractères."}),
        ("question.ask", {"session": 1, "text": " ab "}, {"text": "Au moins 3 caractères."}),
        ("question.ask", {"session": 0, "text": "Why?", "at": 1}, {"session": "Ce nombre doit être supérieur à 0.",
                                                                     "at": "Ce champ n'est pas attendu."}),
        ("question.vote", {"question": "1", "up": 1}, {"question": "Cette valeur doit être un nombre entier.",
                                                        "up": "Cette valeur doit être vraie ou fausse."}),
        ("session.set_status", {"session": 1, "status": "over"},
         {"status": "Choisissez parmi : 'scheduled', 'live', 'paused', 'ended'."}),
        ("session.timer", {"session": 1, "action": "add", "seconds": 4000},
         {"seconds": "Ce nombre doit valoir au plus 3600."}),
        ("session.timer", {"session": 1, "action": "add", "seconds": -4000},
         {"seconds": "Ce nombre doit valoir au moins -3600."}),
        ("session.set_current", {"session": None, "room": 3}, {"room": "Cette valeur doit être du texte."}),
        ("poll.create", {"prompt": "Who?", "kind": "single", "options": "A, B"},
         {"options": "Cette valeur doit être une liste."}),
        ("poll.create", {"prompt": "Who?", "kind": "single", "options": ["A"] * 11},
         {"options": "Au plus 10 éléments."}),
        ("poll.respond", {"poll": 1, "options": []}, {"options": "Au moins 1 élément."}),
        ("poll.respond", {"poll": 1}, {"data": "Indiquez exactement un des champs options, value, text."}),
        ("poll.update", {"poll": 1, "kind": None}, {"kind": "Omettez-le pour le conserver ; il ne peut pas être nul."}),
        ("participant.update", {"name": "N" * 61}, {"name": "Au plus 60 caractères."}),
    ],
)  # fmt: skip
def test_each_refusal_our_schemas_make_reads_in_french_with_its_limit(command, data, expected):
    with translation.override("fr"):
        assert refusal(command, data) == expected


def test_the_limit_chooses_the_plural():
    with translation.override("nl"):
        assert refusal("note.send", {"session": 1, "text": ""}) == {"text": "Minstens 1 teken."}


# Wrong values of every kind, for every field of every command.
WRONG = [None, True, -1, 0, 10**6, 1.5, "", "x" * 3000, [], ["x"] * 30, [0], {}, {"a": 1}]


def test_no_refusal_of_any_command_reads_as_pydantic_s_english():
    seen = set()
    for name, command in COMMANDS.items():
        for field in [*command.schema.model_fields, "unknown"]:
            for value in WRONG:
                try:
                    command.schema.model_validate({field: value})
                except ValidationError as error:
                    for item in error.errors(include_url=False, include_input=False):
                        seen.add(item["type"])
                        if item["type"] == REFUSED:
                            continue  # our validators' own words, translated where they are written
                        with translation.override("fr"):
                            french = reason(item)
                        with translation.override("en"):
                            english = reason(item)
                        assert french != item["msg"] and english != item["msg"], (name, item)
                        assert french != english, (name, item)
    assert {"missing", "extra_forbidden", "int_type", "literal_error", "string_too_long"} <= seen


def test_a_refusal_we_do_not_know_reads_as_a_translated_generic_reason():
    unknown = {"type": "uuid_parsing", "loc": ("token",), "msg": "Input should be a valid UUID", "ctx": {}}
    with translation.override("nl"):
        assert reason(unknown) == "Deze waarde is niet geldig."
    # A known type without the limit it needs: generic too, not a broken sentence.
    with translation.override("fr"):
        assert reason({"type": "string_too_long", "msg": "String should have at most 5 characters"}) == (
            "Cette valeur n'est pas valide."
        )
    assert reason({"type": "model_type"}) == "This value must be an object."

"""pydantic's refusals as reasons a person reads, in the active language.

A command's or request's data that does not match its schema is refused with `invalid` and, per
field, a reason (`error.fields`). pydantic writes its reasons in English; these are ours, with
the schema's limits in them. A type of error not listed here reads "This value is not valid.",
never pydantic's English. A schema's own validator refuses with `refused(...)`, in words it
translates itself.
"""

import re
from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, ngettext_lazy
from pydantic_core import PydanticCustomError

REFUSED = "refused"

# A literal's choices as pydantic lists them: "'room' or 'online'", "5 or 10".
_CHOICE = re.compile(r"'(?:[^'\\]|\\.)*'|-?\d+")

_TEXT = gettext_lazy("This value must be text.")
_WHOLE = gettext_lazy("This value must be a whole number.")
_YES_NO = gettext_lazy("This value must be true or false.")
_OBJECT = gettext_lazy("This value must be an object.")
_CHOOSE = gettext_lazy("Choose one of: %(limit)s.")

# pydantic's error type -> our reason, and the key of its `ctx` that fills `%(limit)s` (and
# chooses the plural). Without that key in the `ctx`, the generic reason is given.
_REASONS: dict[str, tuple[Promise, str | None]] = {
    "missing": (gettext_lazy("This field is required."), None),
    "extra_forbidden": (gettext_lazy("This field is not expected."), None),
    "string_type": (_TEXT, None),
    "string_unicode": (_TEXT, None),
    "int_type": (_WHOLE, None),
    "int_parsing": (_WHOLE, None),
    "int_from_float": (_WHOLE, None),
    "bool_type": (_YES_NO, None),
    "bool_parsing": (_YES_NO, None),
    "list_type": (gettext_lazy("This value must be a list."), None),
    "dict_type": (_OBJECT, None),
    "model_type": (_OBJECT, None),
    "model_attributes_type": (_OBJECT, None),
    "literal_error": (_CHOOSE, "expected"),
    "enum": (_CHOOSE, "expected"),
    "string_too_short": (
        ngettext_lazy("At least %(limit)s character.", "At least %(limit)s characters.", "limit"),
        "min_length",
    ),
    "string_too_long": (
        ngettext_lazy("At most %(limit)s character.", "At most %(limit)s characters.", "limit"),
        "max_length",
    ),
    "too_short": (ngettext_lazy("At least %(limit)s item.", "At least %(limit)s items.", "limit"), "min_length"),
    "too_long": (ngettext_lazy("At most %(limit)s item.", "At most %(limit)s items.", "limit"), "max_length"),
    "greater_than": (gettext_lazy("This number must be greater than %(limit)s."), "gt"),
    "greater_than_equal": (gettext_lazy("This number must be at least %(limit)s."), "ge"),
    "less_than": (gettext_lazy("This number must be less than %(limit)s."), "lt"),
    "less_than_equal": (gettext_lazy("This number must be at most %(limit)s."), "le"),
}


def refused(reason: str) -> PydanticCustomError:
    """What a schema's validator raises; `reason`, already in the active language, is shown as
    it is."""
    # Braces would be read as the template's placeholders.
    return PydanticCustomError(REFUSED, str(reason).replace("{", "(").replace("}", ")"))


def reason(error: Mapping[str, Any]) -> str:
    """The reason, in the active language, for one of pydantic's errors (an item of
    `ValidationError.errors()`, as pydantic or django-ninja give it)."""
    kind = error.get("type", "")
    if kind == REFUSED and error.get("msg"):
        return str(error["msg"])
    text, key = _REASONS.get(kind, (None, None))
    if text is None:
        return gettext("This value is not valid.")
    if key is None:
        return str(text)
    ctx = error.get("ctx") or {}
    limit = ", ".join(_CHOICE.findall(str(ctx.get(key, "")))) if key == "expected" else ctx.get(key)
    if isinstance(limit, bool) or not isinstance(limit, int | float | str) or limit == "":
        return gettext("This value is not valid.")
    return text % {"limit": limit}


def reasons(errors: list[Mapping[str, Any]], *, whole: str, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Field (its dotted path, leaving out the parts in `skip`; `whole` for the value itself) ->
    the reason of its first error."""
    fields: dict[str, str] = {}
    for error in errors:
        name = ".".join(str(part) for part in error.get("loc", ()) if part not in skip)
        fields.setdefault(name or whole, reason(error))
    return fields

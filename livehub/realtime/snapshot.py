"""The snapshot a socket gets on connect: each app contributes the part it owns."""

from collections.abc import Callable
from typing import Any

from .registry import CommandContext

Contributor = Callable[[CommandContext], dict[str, Any]]
_contributors: list[Contributor] = []


def contributor(function: Contributor) -> Contributor:
    """Register a selector that adds its keys to every snapshot (filtered by the context's role)."""
    _contributors.append(function)
    return function


def build_snapshot(ctx: CommandContext) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for function in _contributors:
        data.update(function(ctx))
    return data

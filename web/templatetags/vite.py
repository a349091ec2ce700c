"""Load a page's bundle (and its CSS) from the Vite build manifest."""

import json
from functools import cache
from pathlib import Path

from django import template
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@cache
def _manifest(path: Path, mtime: float) -> dict:
    return json.loads(path.read_text())


def manifest() -> dict:
    path = Path(settings.LIVEHUB_FRONTEND_DIST) / ".vite" / "manifest.json"
    if not path.exists():
        raise ImproperlyConfigured(
            f"The frontend is not built ({path} is missing): run `make run`, or `npm ci && npm run build` in frontend/."
        )
    return _manifest(path, path.stat().st_mtime)


@register.simple_tag
def vite_entry(name: str) -> SafeString:
    entries = manifest()
    entry = entries.get(f"src/pages/{name}.ts")
    if entry is None:
        raise ImproperlyConfigured(f"The frontend build has no page {name!r}.")
    css: list[str] = list(entry.get("css", []))
    for imported in entry.get("imports", []):
        css.extend(entries.get(imported, {}).get("css", []))
    links = format_html_join("", '<link rel="stylesheet" href="{}">', ((static(path),) for path in dict.fromkeys(css)))
    script = format_html('<script type="module" src="{}"></script>', static(entry["file"]))
    return links + script

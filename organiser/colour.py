"""An event's primary colour: WCAG contrast, and the nearest colour of the same hue that passes.

The colour is the background of white text on the light pages (buttons, chosen answers), so it
needs 4.5:1 against white. On the stage and the projector (dark background) it marks borders,
badges and large headings, for which WCAG asks 3:1. No colour reaches 4.5:1 against both white
and #0b1020 (the best reaches 4.36:1), so the dark side is held to the large-text rule.
"""

import colorsys
import re

WHITE = "#ffffff"
# The stage's and the projector's background (frontend/src/pages/Screen.svelte, Stage.svelte).
PROJECTOR = "#0b1020"
ON_WHITE = 4.5
ON_PROJECTOR = 3.0
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def passes(colour: str) -> bool:
    return contrast(colour, WHITE) >= ON_WHITE and contrast(colour, PROJECTOR) >= ON_PROJECTOR


def _hex(r: float, g: float, b: float) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in (r, g, b))


def nearest_passing(colour: str) -> str:
    """The colour of the same hue and saturation, lightness moved as little as possible, that
    passes both contrasts (saturation lowered only if no lightness does)."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    for sat in (saturation, *(saturation * k / 10 for k in range(9, -1, -1))):
        candidates = [_hex(*colorsys.hls_to_rgb(hue, step / 1000, sat)) for step in range(1001)]
        good = [(abs(step / 1000 - lightness), c) for step, c in enumerate(candidates) if passes(c)]
        if good:
            return min(good)[1]
    return "#1d4ed8"  # unreachable: grey #5c5c5c..#6b6b6b passes

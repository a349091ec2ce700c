import pytest

from organiser.colour import PROJECTOR, WHITE, contrast, nearest_passing, passes


def test_contrast_of_black_on_white_is_21():
    assert round(contrast("#000000", WHITE), 2) == 21.0


@pytest.mark.parametrize("colour", ["#0f766e", "#e11d48", "#15803d"])
def test_a_readable_colour_passes(colour):
    assert passes(colour)


@pytest.mark.parametrize("colour", ["#ffcc00", "#000000", "#ffffff", "#1e3a8a", "#a3e635"])
def test_the_suggestion_for_an_unreadable_colour_passes_and_keeps_its_hue(colour):
    assert not passes(colour)
    suggestion = nearest_passing(colour)
    assert passes(suggestion)
    assert contrast(suggestion, WHITE) >= 4.5 and contrast(suggestion, PROJECTOR) >= 3


def test_the_suggestion_for_yellow_is_a_darker_yellow():
    r, g, b = (int(nearest_passing("#ffcc00")[i : i + 2], 16) for i in (1, 3, 5))
    assert r > g > b  # still yellow-orange, darker

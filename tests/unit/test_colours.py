"""Colour names from a palette: nearest entry of the fixed table in CIELAB."""

from __future__ import annotations

from chalicelib.services.colours import COLOUR_NAMES, colour_labels, colour_name, lab


def test_every_table_colour_names_itself() -> None:
    assert all(colour_name(rgb) == name for name, rgb in COLOUR_NAMES.items())


def test_perceptual_neighbours_win_over_rgb_neighbours() -> None:
    assert colour_name((25, 35, 80)) == "navy"  # darker than blue, not black
    assert colour_name((250, 250, 245)) == "white"
    assert colour_name((135, 90, 50)) == "brown"


def test_labels_are_distinct_names_in_palette_order_and_ignore_bad_entries() -> None:
    assert colour_labels(["#c81e1e", "#c01c1c", "nonsense", "#ffffff"]) == ["red", "white"]


def test_lab_of_white_is_lightness_100() -> None:
    lightness, a, b = lab((255, 255, 255))
    assert round(lightness) == 100 and abs(a) < 0.5 and abs(b) < 0.5

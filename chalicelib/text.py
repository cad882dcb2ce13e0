"""Rules for human-written text, in one place: every name, caption, comment and bio, from any source.

Pure functions (no pydantic, no AWS): the request schemas wrap them in types (schemas/common.py),
and code that takes text from elsewhere (the identity provider's `name` claim, imports) calls them
directly, so a profile never holds a name that `PATCH /me` would refuse.

All text is normalised (NFC, CRLF -> LF, outer whitespace trimmed). Refused anywhere: control
characters (newline only where the field allows lines), lone surrogates, line and paragraph
separators, and the bidi override and isolate controls that make "Priya\u202eemirP" display as
"PriyaPrime". Names, captions and comments need at least one visible character, so a zero-width
or blank-filler string is refused too.

Names (display names, product titles, brand, campaign and audience names) are one line and
stricter still: no invisible formatting characters (Unicode category Cf: zero-width space, word
joiner, byte-order mark, soft hyphen, left-to-right and right-to-left marks, tag characters that
smuggle hidden text) except the zero-width joiner and non-joiner, which emoji sequences and
scripts such as Persian and Devanagari need; runs of spaces become one space. `name_key` is what
two names are compared on where they must be unique.
"""

from __future__ import annotations

import re
import unicodedata

DISPLAY_NAME_MAX = 50

# LRE, RLE, PDF, LRO, RLO and LRI, RLI, FSI, PDI: they reorder how the rest of a string displays.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Letters that render as nothing (Hangul fillers, braille blank, Mongolian vowel separator).
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
# Invisible format characters a name may keep: ZWJ (emoji sequences, Indic scripts), ZWNJ (Persian).
_NAME_JOINERS = frozenset("\u200c\u200d")
_SPACES = re.compile(r"\s+")


def _bad_character(text: str, *, lines: bool) -> str | None:
    if _BIDI_CONTROLS.search(text):
        return "must not contain bidirectional override or isolate controls"
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs":
            return "must be valid Unicode"
        if category == "Cc" and not (lines and char == "\n"):
            return "must not contain control characters" + (" other than newlines" if lines else "")
        if char in "\u2028\u2029":
            return "must not contain line or paragraph separators"
    return None


def is_visible(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] not in "ZCM" and char not in _BLANK_LETTERS


def clean_text(text: str, *, lines: bool, visible: bool) -> str:
    """The normalised text, or ValueError naming what is wrong (pydantic turns it into a 422)."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    problem = _bad_character(text, lines=lines)
    if problem:
        raise ValueError(problem)
    text = text.strip()
    if visible and not any(is_visible(c) for c in text):
        raise ValueError("must contain at least one visible character")
    return text


def clean_name(text: str) -> str:
    """A name as stored: one visible line, no invisible formatting, single spaces; else ValueError.

    Lengths are the caller's (a schema's max_length applies to what the client sent).
    """
    text = clean_text(text, lines=False, visible=True)
    if any(unicodedata.category(c) == "Cf" and c not in _NAME_JOINERS for c in text):
        raise ValueError("must not contain invisible formatting characters (zero-width spaces, marks)")
    return _SPACES.sub(" ", text)


def name_from_source(value: object, *, max_length: int) -> str | None:
    """A name taken from outside a request body (an identity-provider claim, an import), or None.

    Nobody can be told "422" here, so a name the rules refuse is not repaired (dropping a bidi
    override from a name built around one leaves a name its owner never chose, still built to
    mislead): the caller falls back to a safe default instead. A name over `max_length` is cut,
    as it comes from a source with other limits, and the cut must still pass the rules.
    """
    if not isinstance(value, str):
        return None
    try:
        name = clean_name(value)
    except ValueError:
        return None
    if len(name) > max_length:
        try:
            name = clean_name(name[:max_length].rstrip("".join(_NAME_JOINERS)))
        except ValueError:
            return None
    return name or None


def name_key(name: str) -> str:
    """What two names are compared on where a name must be unique (brands): NFKC, case-folded,
    invisible formatting dropped, spaces collapsed. fullwidth "NorthPeak", "north\u200bpeak"
    and "NORTHPEAK" share one key."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    visible = "".join(c for c in folded if unicodedata.category(c) != "Cf")
    return _SPACES.sub(" ", visible).strip()

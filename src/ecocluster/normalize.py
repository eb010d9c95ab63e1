"""Unicode handling for Vietnamese text.

Field data arrives in NFC from phones and in NFD from some spreadsheets and Macs, with
or without diacritics. Everything is compared in NFC; names of places and clusters are
also matched on a folded key so that "Bát Tràng", "BAT TRANG" and "bat_trang" agree.
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s_\-.]+")
# Letters that do not decompose into a base letter plus combining marks.
_STROKES = str.maketrans({"đ": "d", "Đ": "D", "ơ": "o", "Ơ": "O", "ư": "u", "Ư": "U"})


def normalize_text(value: str) -> str:
    """NFC form with surrounding whitespace removed and inner runs of spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def strip_diacritics(value: str) -> str:
    """Remove Vietnamese tone and vowel marks: "Đồng Kỵ" -> "Dong Ky"."""
    decomposed = unicodedata.normalize("NFD", value.translate(_STROKES))
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ).translate(_STROKES)


def fold_key(value: str) -> str:
    """Key for matching names regardless of case, diacritics, spacing and separators."""
    return _SEPARATORS.sub("_", strip_diacritics(normalize_text(value)).casefold()).strip("_")

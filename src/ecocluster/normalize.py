"""Unicode handling for Vietnamese text.

Field data arrives in NFC from phones and in NFD from some spreadsheets and Macs, with
or without diacritics. Everything is compared in NFC; names of places and clusters are
also matched on a folded key so that "Bát Tràng", "BAT TRANG" and "bat_trang" agree.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ecocluster.errors import InputError

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


def read_utf8_text(path: str | Path) -> str:
    """A small text file (a CSV of ties or of model data) as UTF-8, BOM removed.

    Unreadable or non-UTF-8 files are the user's to fix: the error names the file and the
    offset of the first bad byte.
    """
    file = str(path)
    try:
        return Path(path).read_bytes().decode("utf-8-sig")
    except OSError as error:
        message = error.strerror or "cannot read the file"
        raise InputError(f"cannot read the file: {message}", file=file, rule="file") from None
    except UnicodeDecodeError as error:
        raise InputError(
            f"the file is not UTF-8 text (undecodable byte at offset {error.start}); "
            "save it as CSV UTF-8",
            file=file,
            rule="encoding",
        ) from None

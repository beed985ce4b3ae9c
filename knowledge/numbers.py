"""The numbers officers type: an indicator, task, submission or reminder number, a count of days.

One place reads them, for the question grammar, every command that takes a number and the
buttons' ids, so "１２", "十二" and "12" mean the same everywhere and nothing else gets through:
``"²".isdigit()`` is true but ``int("²")`` raises, and a 20-digit id overflows SQLite's and
PostgreSQL's 64-bit integers. Anything that is not a whole number within bounds is "not a
number we know" (``None``): the caller answers with its usage, never with an exception.
"""

from __future__ import annotations

import unicodedata

MAX_ID = 10**9  # no indicator, task, submission or row id of a campaign comes near it
_MAX_CHARS = 12  # "999999999", "九亿九千九百九十九万…" is longer; nothing we number needs more


def read_number(token: str | None, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """'12', '１２', '十二', '#12' → 12; anything else, or outside ``low``…``high``, → None.

    The text is NFKC-folded first (full-width digits, ² and ① become ASCII, as the question
    path folds every message); then it is decimal digits of any script, or a Chinese numeral.
    """
    text = unicodedata.normalize("NFKC", token or "").strip().lstrip("#").strip()
    if not text or len(text) > _MAX_CHARS:
        return None
    if text.isdecimal():
        value = int(text)
    else:
        value = _chinese(text)
    return value if value is not None and low <= value <= high else None


def _chinese(text: str) -> int | None:
    """'十二', '两', '一二三' → the integer; '2.5', '-3', words → None."""
    if not all(c in "零〇一二两三四五六七八九十百千万亿" for c in text):
        return None  # cn2an's "smart" mode would also read "2.5", "-3" and "1万"
    import cn2an  # here, not at the top: importing it costs ~0.15 s, and most numbers are digits

    try:
        value = cn2an.cn2an(text.replace("〇", "零"), "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return int(value) if float(value).is_integer() else None


def read_id(arg: str) -> int | None:
    """An id a face encoded itself (a button's ``callback_data``): ASCII digits, 0…``MAX_ID``."""
    if not (arg.isascii() and arg.isdigit()) or len(arg) > _MAX_CHARS:
        return None
    value = int(arg)
    return value if value <= MAX_ID else None

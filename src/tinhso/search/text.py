"""Text folding for diacritics-insensitive search.

Vietnamese users type with or without tone marks ("Giấy khai sinh", "giay khai sinh"): both sides
of every search are folded the same way before they meet. Unicode does not decompose đ/Đ, so
it is mapped to d explicitly.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that NFKD leaves whole although a reader sees a base letter with a mark.
_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o"})

_SPACE = re.compile(r"\s+")
# Words of the folded text: letters and digits, no underscore.
_WORD = re.compile(r"[^\W_]+")


def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch.translate(_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def fold(s: str | None) -> str:
    """``"Giấy  khai sinh"`` → ``"giay khai sinh"``: NFKD, marks dropped, đ→d, lower case,
    whitespace collapsed and trimmed."""
    if not s:
        return ""
    decomposed = unicodedata.normalize("NFKD", s.translate(_EXTRA))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _SPACE.sub(" ", stripped).strip()


def fold_with_map(s: str) -> tuple[str, list[int]]:
    """Fold ``s`` and return, for each character of the folded text, the index of the original
    character it came from, so that a match in folded text can be cut from the original."""
    out: list[str] = []
    where: list[int] = []
    pending_space = False
    for i, ch in enumerate(s):
        if ch.isspace():
            pending_space = bool(out)
            continue
        folded = _fold_char(ch)
        if not folded:
            continue
        if pending_space:
            out.append(" ")
            where.append(i)
            pending_space = False
        for c in folded:
            out.append(c)
            where.append(i)
    return "".join(out), where


def words(s: str | None) -> list[str]:
    """The folded words of ``s``: letters and digits only, everything else is a separator."""
    return _WORD.findall(fold(s))

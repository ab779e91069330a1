"""Turns what a user typed into a safe full-text query.

User input never reaches the FTS syntax as-is: it is folded, split into words of letters and
digits (quotes, parentheses, ``*``, ``-``, ``:``, ``^`` and every other operator character become
separators), and each word is quoted (FTS5) or lexeme-escaped (PostgreSQL). Operator words such
as AND/OR/NEAR/NOT are searched as plain words. The last word matches as a prefix so that
"giay khai si" already finds "Giấy khai sinh" while the user is typing.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import words

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
MAX_TERM_CHARS = 40


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[str, ...]
    prefix_last: bool = True

    def __bool__(self) -> bool:
        return bool(self.terms)

    def fts5(self) -> str:
        """FTS5 MATCH expression: every term quoted, implicit AND, last one a prefix."""
        parts = [f'"{t}"' for t in self.terms]
        if parts and self.prefix_last:
            parts[-1] += "*"
        return " ".join(parts)

    def tsquery(self) -> str:
        """``to_tsquery`` expression: terms are only letters and digits (no quotes or operators
        can appear), joined with ``&``; the last one gets ``:*``."""
        parts = list(self.terms)
        if parts and self.prefix_last:
            parts[-1] += ":*"
        return " & ".join(parts)


def parse_query(raw: str | None) -> ParsedQuery:
    # Long input is cut before folding: nobody types 200 characters into a search box, and the
    # cut bounds the work an abusive query can cause.
    text = (raw or "")[:MAX_QUERY_CHARS]
    terms: list[str] = []
    for w in words(text):
        w = w[:MAX_TERM_CHARS]
        if w and w not in terms:
            terms.append(w)
        if len(terms) >= MAX_TERMS:
            break
    return ParsedQuery(terms=tuple(terms), prefix_last=True)

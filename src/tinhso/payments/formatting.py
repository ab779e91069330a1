"""How money is written for Vietnamese readers: ``150000`` → ``"150.000 đ"``."""

from __future__ import annotations


def format_vnd(amount: int | None) -> str:
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(int(amount)):,} đ".replace(",", ".")

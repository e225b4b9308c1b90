"""How ticket numbers look: a prefix letter and three digits, restarting every business day."""

from __future__ import annotations

import re

MAX_DAILY_NUMBER = 999
_NUMBER = re.compile(r"^([A-Z])\s?(\d{3})$")


def format_number(prefix: str, seq_no: int) -> str:
    """ "B", 15 -> "B015"."""
    if not (1 <= seq_no <= MAX_DAILY_NUMBER):
        raise ValueError(f"ticket sequence {seq_no} is outside 1..{MAX_DAILY_NUMBER}")
    return f"{prefix}{seq_no:03d}"


def parse_number(text: str) -> tuple[str, int]:
    """ "B015" or "B 015" -> ("B", 15)."""
    match = _NUMBER.match(text.strip().upper())
    if not match:
        raise ValueError(f"not a ticket number: {text!r}")
    return match.group(1), int(match.group(2))


def valid_prefix(prefix: str) -> bool:
    return len(prefix) == 1 and "A" <= prefix <= "Z"

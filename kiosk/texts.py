"""Every word the kiosk, the ticket and the status page show, Thai first, English second."""

from __future__ import annotations

from counter.texts import CITIZEN_STATUSES, GROUPS, PRIORITIES

# The shared words, defined once in counter/texts.py.
PRIORITY_LABELS: dict[str, tuple[str, str]] = PRIORITIES
# Service groups of the bundled district-office catalogue; an office's own groups show their code.
GROUP_LABELS: dict[str, tuple[str, str]] = GROUPS
STATUS_LABELS: dict[str, tuple[str, str]] = CITIZEN_STATUSES

PRINT_FAILED = ("กรุณาจดหมายเลขคิว", "please note your number")


def wait_text(waiting_ahead: int, wait_range: tuple[int, int]) -> tuple[str, str]:
    """How long a waiting ticket still waits, as people read it: "รอ 3 คิว (ประมาณ 10–20 นาที)".

    "You are next" only when nobody is ahead and a counter is free now; nobody ahead while every
    counter is busy still gives the minutes."""
    low, high = wait_range
    if waiting_ahead == 0 and high == 0:
        return "ท่านเป็นคิวถัดไป", "You are next"
    th = f"ประมาณ {low}–{high} นาที"
    en = f"about {low}–{high} min"
    if waiting_ahead == 0:
        return f"ไม่มีคิวรอก่อนหน้า ({th})", f"Nobody ahead ({en})"
    return f"รอ {waiting_ahead} คิว ({th})", f"{waiting_ahead} ahead ({en})"


def service_wait_text(waiting_ahead: int, wait_range: tuple[int, int]) -> tuple[str, str]:
    """The same for a service on the kiosk's list: what a ticket taken now would be told."""
    if waiting_ahead == 0 and wait_range[1] == 0:
        return "ไม่ต้องรอ", "no wait"
    return wait_text(waiting_ahead, wait_range)


def priority_label(priority: str | None) -> str | None:
    if priority is None:
        return None
    th, en = PRIORITY_LABELS.get(priority, (priority, priority))
    return f"{th} / {en}"


def group_label(group: str) -> tuple[str, str]:
    return GROUP_LABELS.get(group, (group, group))

"""Every word the kiosk, the ticket and the status page show, Thai first, English second."""

from __future__ import annotations

PRIORITY_LABELS: dict[str, tuple[str, str]] = {
    "elderly": ("ผู้สูงอายุ", "Elderly"),
    "disabled": ("ผู้พิการ", "Disabled"),
    "pregnant": ("สตรีมีครรภ์", "Pregnant"),
    "monk": ("พระภิกษุ", "Monk"),
}

# Service groups of the bundled district-office catalogue; an office's own groups show their code.
GROUP_LABELS: dict[str, tuple[str, str]] = {
    "civil_registration": ("งานทะเบียนราษฎร", "Civil registration"),
    "id_card": ("งานบัตรประจำตัวประชาชน", "ID cards"),
    "family_registration": ("งานทะเบียนครอบครัว", "Family registration"),
    "licensing": ("งานขออนุญาต", "Licences"),
    "damrongtham": ("ศูนย์ดำรงธรรม", "Damrongtham centre"),
}

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "waiting": ("กำลังรอเรียก", "Waiting"),
    "called": ("ถึงคิวของท่านแล้ว", "It is your turn"),
    "serving": ("กำลังรับบริการ", "Being served"),
    "held": ("พักคิวไว้ชั่วคราว", "On hold"),
    "done": ("รับบริการเสร็จแล้ว ขอบคุณค่ะ", "Finished, thank you"),
    "no_show": ("ไม่มาตามเรียก กรุณาติดต่อเจ้าหน้าที่", "Missed; please ask the staff"),
    "cancelled": ("ยกเลิกแล้ว", "Cancelled"),
    "unserved": ("บัตรคิวหมดอายุแล้ว", "This ticket has expired"),
}

PRINT_FAILED = ("กรุณาจดหมายเลขคิว", "please note your number")


def priority_label(priority: str | None) -> str | None:
    if priority is None:
        return None
    th, en = PRIORITY_LABELS.get(priority, (priority, priority))
    return f"{th} / {en}"


def group_label(group: str) -> tuple[str, str]:
    return GROUP_LABELS.get(group, (group, group))

"""Words of the operations pages, Thai first (one catalogue for the package)."""

from __future__ import annotations

from counter.texts import fill

KIND = {
    "restart": ("เครื่องแม่ข่ายหยุดทำงาน", "Server stopped"),
    "database": ("ฐานข้อมูลขัดข้อง", "Database unavailable"),
    "bus": ("ระบบส่งเหตุการณ์ขัดข้อง", "Event bus down"),
    "printer": ("เครื่องพิมพ์บัตรคิวขัดข้อง", "Ticket printer down"),
    "power": ("ไฟฟ้าดับ", "Power cut"),
    "network": ("เครือข่ายขัดข้อง", "Network down"),
    "equipment": ("อุปกรณ์ชำรุด", "Equipment failure"),
    "other": ("อื่น ๆ", "Other"),
}
SOURCE = {
    "system": ("ระบบบันทึกอัตโนมัติ", "recorded by the system"),
    "staff": ("เจ้าหน้าที่บันทึก", "recorded by staff"),
}
# Kinds during which the office could not issue or call tickets through the system: their
# intervals, merged, are the downtime of the BCP report. The others degrade service.
OUTAGE_KINDS = frozenset({"restart", "database", "power", "network"})

T = {
    "incidents": ("บันทึกเหตุขัดข้อง", "Incident log"),
    "bcp": ("รายงานความต่อเนื่องในการให้บริการ", "Business continuity report"),
    "fy": ("ปีงบประมาณ", "Fiscal year"),
    "kind": ("ประเภท", "Kind"),
    "started": ("เริ่ม", "Started"),
    "ended": ("สิ้นสุด", "Ended"),
    "ongoing": ("ยังไม่สิ้นสุด", "ongoing"),
    "minutes": ("นาที", "minutes"),
    "impact": ("ผลกระทบ", "Impact"),
    "action": ("การดำเนินการ", "Action taken"),
    "summary": ("รายละเอียด", "Details"),
    "record": ("บันทึกเหตุขัดข้อง", "Record an incident"),
    "save": ("บันทึก", "Save"),
    "downtime": ("ระยะเวลาที่ระบบหยุดให้บริการ", "Downtime"),
    "recover": ("เวลาเฉลี่ยในการกู้คืน", "Mean time to recover"),
    "recover_max": ("เวลากู้คืนนานที่สุด", "Longest time to recover"),
    "drills": ("การทดสอบกู้คืนข้อมูลสำรอง", "Backup restore drills"),
    "passed": ("ผ่าน", "passed"),
    "failed": ("ไม่ผ่าน", "failed"),
    "none": ("ไม่มี", "none"),
    "paper": ("บัตรคิวกระดาษ", "Paper tickets"),
    "paper_entry": ("บันทึกบัตรคิวกระดาษ", "Enter paper tickets"),
    "paper_help": (
        "บันทึกบัตรคิวกระดาษที่ออกระหว่างระบบขัดข้อง (หมายเลข บริการ เวลาโดยประมาณ) "
        "เพื่อให้บันทึกการให้บริการครบถ้วน",
        "Enter the paper tickets handed out while the system was down (number, service, "
        "approximate times) so the service log stays complete",
    ),
    "number": ("หมายเลขคิว", "Number"),
    "service": ("บริการ", "Service"),
    "issued": ("เวลารับบัตรคิว (โดยประมาณ)", "Issued (approx.)"),
    "served": ("เวลาให้บริการ (โดยประมาณ)", "Served (approx.)"),
    "counter": ("ช่องบริการ", "Counter"),
    "add_row": ("เพิ่มแถว", "Add a row"),
}

# Messages: errors and warnings, and the summaries of incidents the system records; {name}
# placeholders are filled by say().
MESSAGES: dict[str, tuple[str, str]] = {
    "bad_day": ("วันที่ไม่ถูกต้อง", "day must be YYYY-MM-DD"),
    "bad_fy": ("ปีงบประมาณไม่ถูกต้อง", "fy must be a BE year such as 2569"),
    "bad_kind": ("ประเภทเหตุขัดข้องไม่ถูกต้อง", "kind must be one of {kinds}"),
    "no_incident": ("ไม่พบเหตุขัดข้อง", "incident {incident_id} not found"),
    "start_future": ("เวลาเริ่มอยู่ในอนาคต", "the start is in the future"),
    "end_before_start": ("เวลาสิ้นสุดก่อนเวลาเริ่ม", "the end is before the start"),
    "end_future": ("เวลาสิ้นสุดอยู่ในอนาคต", "the end is in the future"),
    # paper tickets, by row of the form
    "row_no_service": ("แถวที่ {row} / row {row}: ไม่พบบริการ", "row {row}: no service {service!r}"),
    "row_future": ("แถวที่ {row} / row {row}: เวลาอยู่ในอนาคต", "row {row}: a time is in the future"),
    "row_served_before_issued": (
        "แถวที่ {row} / row {row}: เวลาให้บริการก่อนเวลารับบัตรคิว",
        "row {row}: served before issued",
    ),
    "row_no_counter": ("แถวที่ {row} / row {row}: ไม่พบช่องบริการ", "row {row}: no counter {counter}"),
    "row_number_twice": (
        "แถวที่ {row} / row {row}: หมายเลขคิวซ้ำ",
        "row {row}: number {number} given twice",
    ),
    "paper_number_taken": (
        "มีหมายเลขคิวกระดาษนี้ในวันเดียวกันแล้ว",
        "a paper ticket with that number was entered that day",
    ),
    "paper_note": (
        "บัตรคิวกระดาษระหว่างระบบขัดข้อง ไม่ทราบระยะเวลาที่แน่นอน จึงไม่นำไปคำนวณค่าเฉลี่ย",
        "Paper tickets of outages: their times are approximate, so no average uses them",
    ),
    # incidents the system records
    "unclean_stop": (
        "เครื่องแม่ข่ายหยุดทำงานโดยไม่ได้ปิดตามปกติ",
        "server process {pid} on {host} stopped without a clean shutdown",
    ),
    "bus_down": ("ระบบส่งเหตุการณ์ขัดข้อง", "event bus down"),
    "database_down": ("ฐานข้อมูลขัดข้อง", "database unavailable"),
    # the machine and its address
    "metrics_forbidden": (
        "ข้อมูลนี้สำหรับเครื่องแม่ข่ายเท่านั้น",
        "metrics are served to this machine, or with the metrics token",
    ),
    "no_lan": (
        "ไม่พบที่อยู่ของเครื่องในเครือข่ายสำนักงาน",
        "no office network address found on this machine",
    ),
    "qr_loopback": (
        "QR ในบัตรคิวชี้ไปที่ {url} ซึ่งโทรศัพท์ของประชาชนเปิดไม่ได้",
        "the QR codes on tickets point at {url}, which no phone can open, although the server "
        "listens on {host}:{port}. Set SADUAK_PUBLIC_URL to this machine's address on the office "
        "network, e.g. http://192.168.1.10:{port}",
    ),
    "restore_not_empty": (
        "ขออภัย ฐานข้อมูลนี้มีข้อมูลอยู่แล้ว",
        "the database is not empty: it holds offices, accounts or tickets. Restore onto an empty "
        "database, or add --force to replace everything in it.",
    ),
}


def say(key: str, **values: object) -> tuple[str, str]:
    """A message with its placeholders filled: (Thai, English)."""
    return fill(MESSAGES[key], **values)


def say_both(key: str, **values: object) -> str:
    """A message on one line, Thai / English (logs, the command line, incident summaries)."""
    return " / ".join(say(key, **values))

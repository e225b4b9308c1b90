"""Words of the operations pages, Thai first (one catalogue for the package)."""

from __future__ import annotations

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

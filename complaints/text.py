"""Every word the complaint register shows: (Thai, English), Thai first."""

from __future__ import annotations

from complaints.workflow import Category, Channel, Status, Step

STATUS: dict[str, tuple[str, str]] = {
    Status.RECEIVED: ("รับเรื่องแล้ว", "Received"),
    Status.ACKNOWLEDGED: ("ตอบรับเรื่องแล้ว", "Acknowledged"),
    Status.IN_PROGRESS: ("อยู่ระหว่างดำเนินการ", "In progress"),
    Status.RESOLVED: ("ดำเนินการแล้ว แจ้งผลแล้ว", "Resolved"),
    Status.CLOSED: ("ยุติเรื่อง", "Closed"),
    Status.REFERRED: ("ส่งต่อหน่วยงานอื่น", "Referred to another agency"),
}

CHANNEL: dict[str, tuple[str, str]] = {
    Channel.COUNTER: ("ช่องบริการ/ศูนย์ดำรงธรรม", "Counter or Damrongdhama Center desk"),
    Channel.WEB: ("แบบฟอร์มออนไลน์/คิวอาร์โค้ด", "Online form or QR code"),
    Channel.PHONE: ("โทรศัพท์", "Phone"),
    Channel.LETTER: ("หนังสือ/จดหมาย", "Letter"),
    Channel.LINE: ("LINE", "LINE"),
    Channel.OTHER: ("อื่น ๆ", "Other"),
}

CATEGORY: dict[str, tuple[str, str]] = {
    Category.STAFF_CONDUCT: ("พฤติกรรมการให้บริการของเจ้าหน้าที่", "Staff conduct"),
    Category.DELAY: ("ความล่าช้า รอนาน", "Delay, long wait"),
    Category.PROCESS: ("ขั้นตอนและเอกสาร", "Process and documents"),
    Category.FACILITIES: ("สถานที่และสิ่งอำนวยความสะดวก", "Facilities"),
    Category.MISCONDUCT: ("การทุจริตหรือประพฤติมิชอบ", "Misconduct or corruption"),
    Category.OTHER: ("เรื่องอื่น ๆ", "Other"),
}

STEP: dict[str, tuple[str, str]] = {
    Step.ACKNOWLEDGE: ("ตอบรับเรื่อง", "Acknowledge"),
    Step.START: ("เริ่มดำเนินการ", "Start work"),
    Step.RESOLVE: ("บันทึกผลและแจ้งผู้ร้องเรียน", "Resolve and reply"),
    Step.CLOSE: ("ยุติเรื่อง", "Close"),
    Step.REFER: ("ส่งต่อหน่วยงานอื่น", "Refer to another agency"),
}

# Domain errors: key -> (Thai, English).
ERR: dict[str, tuple[str, str]] = {
    "unknown_office": ("ไม่พบสำนักงานนี้", "unknown office"),
    "choose_office": ("กรุณาเลือกสำนักงาน", "choose an office"),
    "bad_channel": ("ช่องทางนี้ใช้ไม่ได้", "channel must be one of: {allowed}"),
    "bad_category": ("ประเภทเรื่องไม่ถูกต้อง", "category must be one of: {allowed}"),
    "empty_text": ("กรุณาเขียนรายละเอียดเรื่องที่ต้องการร้องเรียน", "describe the complaint"),
    "no_consent": (
        "หากให้ข้อมูลติดต่อ กรุณายินยอมให้สำนักงานใช้ข้อมูลนี้เพื่อติดต่อกลับ",
        "a contact needs the complainant's consent to be kept",
    ),
    "unknown_ticket": ("ไม่พบบัตรคิวนี้", "unknown ticket"),
    "rate_limited": (
        "ขออภัย มีการส่งเรื่องจากเครื่องนี้มากเกินไป กรุณาลองใหม่ภายหลัง หรือติดต่อศูนย์ดำรงธรรม โทร 1567",
        "too many complaints from this address; try again later or call 1567",
    ),
    "not_found": ("ไม่พบเรื่องร้องเรียนนี้", "no such complaint"),
    "step_not_allowed": (
        "ทำรายการนี้ไม่ได้ เรื่องนี้อยู่ในสถานะ {status}",
        "cannot {step} a complaint that is {status_en}",
    ),
    "resolve_fields": (
        "กรุณาบันทึกคำตอบถึงผู้ร้องเรียน สาเหตุ และแนวทางป้องกันไม่ให้เกิดซ้ำ",
        "response, root_cause and preventive_action are required",
    ),
    "refer_agency": ("กรุณาระบุหน่วยงานที่ส่งต่อ", "give the agency the complaint is referred to"),
    "bad_days": (
        "จำนวนวันทำการต้องอยู่ระหว่าง 0 ถึง 90",
        "business days must be between 0 and 90",
    ),
    "bad_date": ("วันที่ไม่ถูกต้อง (ปปปป-ดด-วว)", "invalid date; use YYYY-MM-DD"),
    "bad_filter": ("ตัวกรองไม่ถูกต้อง", "invalid filter value"),
}

# Page words.
T: dict[str, tuple[str, str]] = {
    "form_title": ("แจ้งข้อร้องเรียน / ร้องทุกข์", "Make a complaint"),
    "form_intro": (
        "บอกเราว่าเกิดอะไรขึ้น สำนักงานจะตอบรับเรื่องภายใน {ack} วันทำการ "
        "และแจ้งผลภายใน {resolve} วันทำการ ไม่ต้องระบุชื่อก็ได้",
        "Tell us what happened. The office acknowledges within {ack} business day(s) and replies "
        "within {resolve} business days. You need not give your name.",
    ),
    "office": ("สำนักงาน", "Office"),
    "category": ("เรื่องที่ต้องการร้องเรียน", "What is it about?"),
    "text": ("รายละเอียด", "Details"),
    "text_hint": (
        "เกิดอะไรขึ้น เมื่อไร ที่ช่องบริการใด",
        "What happened, when, at which counter",
    ),
    "contact": ("ข้อมูลติดต่อกลับ (ไม่บังคับ)", "Contact for a reply (optional)"),
    "contact_hint": ("เบอร์โทรศัพท์ อีเมล หรือ LINE ID", "Phone, e-mail or LINE ID"),
    "consent": (
        "ข้าพเจ้ายินยอมให้สำนักงานเก็บและใช้ข้อมูลติดต่อนี้ เพื่อติดต่อกลับเรื่องร้องเรียนนี้เท่านั้น "
        "ตามพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562",
        "I consent to the office keeping and using this contact only to reply to this "
        "complaint (Personal Data Protection Act 2019).",
    ),
    "submit": ("ส่งเรื่องร้องเรียน", "Send"),
    "about_ticket": ("เกี่ยวกับบัตรคิว", "About ticket"),
    "thanks": ("ได้รับเรื่องของท่านแล้ว", "We have received your complaint"),
    "your_code": ("รหัสติดตามเรื่องของท่าน", "Your tracking code"),
    "keep_code": (
        "กรุณาจดรหัสนี้ไว้ เพื่อติดตามผลที่หน้านี้",
        "Keep this code to follow the complaint on this page",
    ),
    "status_title": ("ติดตามเรื่องร้องเรียน", "Complaint status"),
    "status_now": ("สถานะ", "Status"),
    "received_on": ("วันที่รับเรื่อง", "Received"),
    "ack_by": ("ตอบรับเรื่องภายใน", "Acknowledgement due"),
    "resolve_by": ("แจ้งผลภายใน", "Reply due"),
    "acknowledged_on": ("ตอบรับเรื่องเมื่อ", "Acknowledged"),
    "resolved_on": ("แจ้งผลเมื่อ", "Resolved"),
    "closed_on": ("ยุติเรื่องเมื่อ", "Closed"),
    "referred_on": ("ส่งต่อเมื่อ", "Referred"),
    "referred_to": ("ส่งต่อไปยัง", "Referred to"),
    "look_up": ("ติดตามเรื่องด้วยรหัส", "Look up a code"),
    "look_up_button": ("ดูสถานะ", "Show status"),
    "hotline": (
        "ศูนย์ดำรงธรรม สายด่วน 1567 (ตลอด 24 ชั่วโมง)",
        "Damrongdhama Center hotline 1567 (24 hours)",
    ),
    "manage_title": ("ทะเบียนข้อร้องเรียน", "Complaint register"),
    "new_complaint": ("บันทึกเรื่องร้องเรียน", "Record a complaint"),
    "channel": ("ช่องทาง", "Channel"),
    "code": ("รหัส", "Code"),
    "received": ("รับเรื่อง", "Received"),
    "due": ("กำหนด", "Due"),
    "overdue": ("เกินกำหนด", "Overdue"),
    "overdue_acknowledge": ("ยังไม่ตอบรับเรื่อง เกินกำหนด", "Not acknowledged, overdue"),
    "overdue_resolve": ("ยังไม่แจ้งผล เกินกำหนด", "Not resolved, overdue"),
    "all": ("ทั้งหมด", "All"),
    "open_only": ("ยังไม่แล้วเสร็จ", "Open"),
    "filter": ("กรอง", "Filter"),
    "response": ("คำตอบถึงผู้ร้องเรียน", "Reply to the complainant"),
    "root_cause": ("สาเหตุของปัญหา", "Root cause"),
    "preventive_action": ("แนวทางป้องกันไม่ให้เกิดซ้ำ", "Preventive action"),
    "agency": ("หน่วยงานที่ส่งต่อ", "Agency"),
    "none": ("ไม่มีเรื่องร้องเรียน", "No complaints"),
    "settings": ("กำหนดเวลาดำเนินการ", "Deadlines"),
    "ack_days": ("ตอบรับเรื่องภายใน (วันทำการ)", "Acknowledge within (business days)"),
    "resolve_days": ("แจ้งผลภายใน (วันทำการ)", "Resolve within (business days)"),
    "source": ("ที่มาของกำหนดเวลา", "Source of the deadlines"),
    "save": ("บันทึก", "Save"),
    "figures": ("สรุปเรื่องร้องเรียน", "Complaint figures"),
    "received_count": ("จำนวนเรื่องที่รับ", "Received"),
    "per_1000": ("ต่อผู้รับบริการ 1,000 ราย", "Per 1,000 served"),
    "ack_within": ("ร้อยละตอบรับเรื่องภายในกำหนด", "% acknowledged within deadline"),
    "resolved_within": ("ร้อยละแจ้งผลภายในกำหนด", "% resolved within deadline"),
    "median_ack_days": ("มัธยฐานวันถึงการตอบรับ", "Median days to acknowledge"),
    "median_resolve_days": ("มัธยฐานวันถึงการแจ้งผล", "Median days to resolve"),
    "open_now": ("ยังไม่แล้วเสร็จ", "Open"),
    "overdue_now": ("เกินกำหนด", "Overdue"),
    "by_channel": ("แยกตามช่องทาง", "By channel"),
    "by_category": ("แยกตามประเภท", "By category"),
    "recurring": ("สาเหตุที่เกิดซ้ำ", "Recurring root causes"),
    "times": ("ครั้ง", "times"),
    "contact_manager_only": (
        "ข้อมูลติดต่อแสดงเฉพาะหัวหน้าสำนักงาน",
        "Contacts are shown to the office head only",
    ),
    "anonymous": ("ไม่ระบุ", "Anonymous"),
    "link": ("แจ้งข้อร้องเรียน", "Make a complaint"),
    "sup_title": ("เรื่องร้องเรียนเกินกำหนด", "Overdue complaints"),
    "sup_none": ("ไม่มีเรื่องร้องเรียนเกินกำหนด", "No overdue complaints"),
    "back": ("กลับ", "Back"),
}

"""Every user-facing text of the reports package, Thai first and English second."""

from __future__ import annotations

from typing import Any

from counter.texts import (
    ARRIVALS,
    CONSOLE,
    NORMAL_PRIORITY,
    OUTCOMES,
    PAUSE_NOT_GIVEN,
    PAUSE_REASONS,
    PRIORITIES,
    STATUSES,
    SURVEY_INVITATION,
    fill,
)

# The survey an office starts with (DOMAIN.md: GECC satisfaction items); offices edit them.
DEFAULT_SURVEY_ITEMS: list[tuple[str, str, str]] = [
    ("speed", "ความรวดเร็วในการให้บริการ", "Speed of service"),
    ("courtesy", "ความสุภาพและเอาใจใส่ของเจ้าหน้าที่", "Staff courtesy and care"),
    ("clarity", "ความชัดเจนของข้อมูลและคำแนะนำ", "Clarity of information"),
    ("facilities", "สถานที่และสิ่งอำนวยความสะดวก", "Premises and facilities"),
    ("overall", "ความพึงพอใจโดยรวม", "Overall satisfaction"),
]

# GECC's usual satisfaction dimensions, in report order.
DIMENSIONS: list[tuple[str, str, str]] = [
    ("process", "ด้านกระบวนการ ขั้นตอนการให้บริการ", "Process and steps"),
    ("staff", "ด้านเจ้าหน้าที่ผู้ให้บริการ", "Staff"),
    ("information", "ด้านข้อมูลและการประชาสัมพันธ์", "Information"),
    ("facilities", "ด้านสิ่งอำนวยความสะดวก", "Facilities"),
    ("overall", "ความพึงพอใจโดยรวม", "Overall"),
]
# The needs survey as bundled: (code, Thai, English, [(choice, Thai, English)]); any number of
# choices may be ticked; free text beside.
DEFAULT_NEEDS: list[dict[str, Any]] = [
    {
        "code": "services",
        "label_th": "บริการที่ท่านต้องการให้มีเพิ่มเติม",
        "label_en": "Services you would like us to add",
        "choices": [
            ["booking", "จองคิวล่วงหน้าทางออนไลน์", "Online booking"],
            ["eservice", "ยื่นคำขอ/เอกสารทางออนไลน์", "Online applications"],
            ["mobile", "หน่วยบริการเคลื่อนที่", "Mobile service unit"],
            ["advice", "ให้คำปรึกษาด้านกฎหมาย", "Legal advice"],
        ],
    },
    {
        "code": "hours",
        "label_th": "ช่วงเวลาที่ท่านสะดวกมารับบริการ",
        "label_en": "When it suits you to come",
        "choices": [
            ["early", "ก่อน 08.30 น.", "Before 08.30"],
            ["lunch", "พักกลางวัน 12.00–13.00 น.", "Lunch time 12.00–13.00"],
            ["evening", "หลัง 16.30 น.", "After 16.30"],
            ["saturday", "วันเสาร์", "Saturday"],
            ["office_hours", "เวลาราชการปกติ", "Normal office hours"],
        ],
    },
    {
        "code": "channels",
        "label_th": "ช่องทางที่ท่านต้องการรับข้อมูลข่าวสาร",
        "label_en": "How you want to hear from us",
        "choices": [
            ["line", "LINE", "LINE"],
            ["facebook", "Facebook", "Facebook"],
            ["website", "เว็บไซต์", "Website"],
            ["phone", "โทรศัพท์", "Phone"],
            ["board", "ป้ายประกาศ", "Notice board"],
        ],
    },
    {
        "code": "facilities",
        "label_th": "สิ่งอำนวยความสะดวกที่ต้องการเพิ่ม",
        "label_en": "Facilities you would like",
        "choices": [
            ["seats", "ที่นั่งรอ", "Seats"],
            ["parking", "ที่จอดรถ", "Parking"],
            ["toilets", "ห้องน้ำ", "Toilets"],
            ["wifi", "Wi-Fi", "Wi-Fi"],
            ["water", "น้ำดื่ม", "Drinking water"],
            ["ramps", "ทางลาดและราวจับ", "Ramps and handrails"],
        ],
    },
]
# 5-level scale, highest first, as printed on Thai satisfaction forms.
SCALE: list[tuple[int, str, str]] = [
    (5, "มากที่สุด", "Very satisfied"),
    (4, "มาก", "Satisfied"),
    (3, "ปานกลาง", "Neutral"),
    (2, "น้อย", "Dissatisfied"),
    (1, "น้อยที่สุด", "Very dissatisfied"),
]

OUTCOME = OUTCOMES

ARRIVAL = ARRIVALS

PRIORITY: dict[str | None, tuple[str, str]] = {None: NORMAL_PRIORITY}
PRIORITY.update(PRIORITIES.items())

OUTSIDE = {
    "lunch": ("ช่วงพักกลางวัน 12.00–13.00 น.", "Lunch 12:00–13:00"),
    "before": ("ก่อนเวลาราชการ", "Before opening"),
    "after": ("หลังเวลาราชการ", "After closing"),
    "saturday": ("วันเสาร์", "Saturday"),
    "sunday": ("วันอาทิตย์", "Sunday"),
    "holiday": ("วันหยุดราชการ", "Public holiday"),
}

PAUSE_REASON: dict[str | None, tuple[str, str]] = dict(PAUSE_REASONS.items())
PAUSE_REASON[None] = PAUSE_NOT_GIVEN

WEEKDAYS = [
    ("จันทร์", "Mon"),
    ("อังคาร", "Tue"),
    ("พุธ", "Wed"),
    ("พฤหัสบดี", "Thu"),
    ("ศุกร์", "Fri"),
    ("เสาร์", "Sat"),
    ("อาทิตย์", "Sun"),
]

BANDS = [
    ("le15", "ไม่เกิน 15 นาที", "≤ 15 min"),
    ("15to30", "15–30 นาที", "15–30 min"),
    ("30to60", "30–60 นาที", "30–60 min"),
    ("gt60", "เกิน 60 นาที", "> 60 min"),
]

PERIOD_KINDS = {
    "day": ("รายวัน", "Day"),
    "week": ("รายสัปดาห์", "Week"),
    "month": ("รายเดือน", "Month"),
    "quarter": ("รายไตรมาส (ปีงบประมาณ)", "Fiscal quarter"),
    "fy": ("ปีงบประมาณ", "Fiscal year"),
    "custom": ("กำหนดเอง", "Custom range"),
}

# A period's label (reports/periods.py): (Thai, English) with `{name}` placeholders.
PERIOD_LABELS = {
    "day": ("วันที่ {date}", "{iso}"),
    "week": ("สัปดาห์ {first} – {last}", "week {first_iso} – {last_iso}"),
    "month": ("เดือน{month} พ.ศ. {year}", "{en}"),
    "quarter": (
        "ไตรมาสที่ {q} ปีงบประมาณ พ.ศ. {fy} ({first}–{last} {year})",
        "FY {fy} Q{q}",
    ),
    "fy": ("ปีงบประมาณ พ.ศ. {fy}", "Fiscal year {fy} BE"),
}


def period_label(kind: str, **values: object) -> tuple[str, str]:
    return fill(PERIOD_LABELS[kind], **values)


# Metric definitions printed in every report's footer (DOMAIN.md, "Metric definitions").
DEFINITIONS: list[tuple[str, str]] = [
    (
        "เวลารอ = เวลาที่ถูกเรียกครั้งที่นำไปสู่การรับบริการ − เวลารับบัตรคิว (หรือเวลาที่ถูกส่งต่อเข้างานนี้) "
        "หากเรียกแล้วไม่พบผู้รับบริการและนำกลับเข้าคิว นับการเรียกครั้งสุดท้าย",
        "Wait = the call that led to service − issue (or transfer in); after a no-show and "
        "reactivation the last call counts.",
    ),
    (
        "เวลาเดินมาที่ช่อง = เวลาเริ่มให้บริการ − เวลาที่ถูกเรียก; เวลาให้บริการ = เวลาจบ − เวลาเริ่ม "
        "(ไม่รวมเวลาที่พักคิวไว้); เวลารวม = เวลาจบงานสุดท้าย − เวลารับบัตรคิว ต่อการมาติดต่อหนึ่งครั้ง",
        "Walk = service start − that call; service = finish − start, excluding time on hold; "
        "total = final finish − issue, per visit.",
    ),
    (
        "การส่งต่องานจบรายการหนึ่งและเริ่มรายการใหม่ในการมาติดต่อครั้งเดียวกัน เวลารอและเวลาให้บริการนับต่อรายการ",
        "A transfer ends one transaction and starts another within the same visit; wait and "
        "service are per transaction.",
    ),
    (
        "สถิติเวลานับเฉพาะรายการที่ให้บริการเสร็จหรือส่งต่อ ไม่นับรายการที่ไม่พบผู้รับบริการ "
        "รายการที่ยกเลิก และบัตรคิวที่ค้างเมื่อสิ้นวัน",
        "Durations cover transactions served or transferred on; no-shows, cancels and tickets "
        "left at day end never enter them.",
    ),
    (
        "ค่ามัธยฐานเป็นค่ากลางตามปกติ; P90 = ค่าที่ร้อยละ 90 ของรายการไม่เกินค่านี้ (nearest rank); "
        "เวลาเป็นวินาทีเต็ม",
        "Median is the usual middle value; P90 is the nearest-rank 90th percentile; durations "
        "are whole seconds.",
    ),
    (
        "ภายในเวลามาตรฐาน = เวลาให้บริการไม่เกินเวลามาตรฐานของงานตามคู่มือสำหรับประชาชน; "
        "ภายในเป้าหมาย = เวลารอไม่เกินเป้าหมายของงาน (ค่าเริ่มต้น 15 นาที)",
        "Within standard = service ≤ the service's published standard minutes; within target = "
        "wait ≤ the service's wait target (default 15 min).",
    ),
    (
        "นอกเวลาราชการ = เริ่มให้บริการก่อนเวลาเปิด หลังเวลาปิด ช่วงพักกลางวัน 12.00–13.00 น. "
        "วันเสาร์ วันอาทิตย์ หรือวันหยุดราชการ",
        "Outside normal hours = service started before opening, after closing, at lunch "
        "(12:00–13:00), on a weekend or a public holiday.",
    ),
    (
        "ความพึงพอใจ 5 ระดับ: ร้อยละ = ค่าเฉลี่ย ÷ 5 × 100; S.D. = ส่วนเบี่ยงเบนมาตรฐานของกลุ่มตัวอย่าง; "
        "ขนาดตัวอย่างขั้นต่ำตามสูตรของ Taro Yamane ที่ความคลาดเคลื่อน 0.05 จากจำนวนผู้มาติดต่อในช่วงเวลา; "
        "ผู้ตอบแบบประเมิน = จำนวนคน (หนึ่งคนต่อบัตรคิว) ส่วนคำตอบ = จำนวนคำตอบรายข้อ",
        "Satisfaction on 5 levels: % = mean ÷ 5 × 100; S.D. is the sample standard deviation; "
        "the minimum sample is Yamane's n = N / (1 + N·0.05²) for the period's visitors; "
        "respondents are people (one per ticket), answers are item answers.",
    ),
    (
        "เวลาว่างของช่องบริการ = เวลาเปิดช่อง − เวลาพัก − เวลาเรียก/ให้บริการ; วันที่เป็นวันทำการตามเวลา "
        "ประเทศไทย (Asia/Bangkok); ปีงบประมาณเริ่ม 1 ตุลาคม",
        "Counter idle = open − paused − calling and serving time; days are business days in "
        "Asia/Bangkok; the fiscal year starts on 1 October.",
    ),
]

# The evidence pack's year over year table (reports/gecc.py): key, Thai, English, unit (count,
# minutes, pct, per_1000: which way is better).
YEAR_OVER_YEAR: list[tuple[str, str, str, str]] = [
    ("issued", "จำนวนบัตรคิว", "Tickets issued", "count"),
    ("served", "รับบริการเสร็จ", "Served", "count"),
    ("wait", "เวลารอเฉลี่ย (นาที)", "Mean wait (min)", "minutes"),
    ("wait_median", "เวลารอ มัธยฐาน (นาที)", "Median wait (min)", "minutes"),
    ("within_target", "ร้อยละรอไม่เกินเป้าหมาย", "% within wait target", "pct"),
    ("within_standard", "ร้อยละให้บริการภายในมาตรฐาน", "% within standard", "pct"),
    ("satisfaction", "ความพึงพอใจ (ร้อยละ)", "Satisfaction %", "pct"),
    ("complaints_per_1000", "ข้อร้องเรียนต่อผู้รับบริการ 1,000 ราย", "Complaints per 1,000", "per_1000"),
    ("complaints_in_time", "ร้อยละแจ้งผลข้อร้องเรียนภายในกำหนด", "% complaints in time", "pct"),
    ("in_order", "ร้อยละเรียกคิวตามลำดับ", "% calls in policy order", "pct"),
]
# A figure against the office's target (the year over year table).
TARGET_VERDICT = {"met": "ผ่านเป้าหมาย", "below": "ต่ำกว่าเป้าหมาย"}

# The evidence pack as XLSX (reports/gecc.py): sheet names, and headers and row labels as
# "ไทย / English" (a spreadsheet cell holds both).
EVIDENCE_XLSX = {
    "sheet_speed": "ความรวดเร็ว",
    "sheet_satisfaction": "ความพึงพอใจ",
    "sheet_needs": "ความต้องการ",
    "sheet_complaints": "ข้อร้องเรียน",
    "sheet_staff": "บุคลากร",
    "sheet_fairness": "ความเป็นธรรม",
    "sheet_out_of_order": "เรียกข้ามลำดับ",
    "sheet_manuals": "คู่มือประชาชน",
    "sheet_yoy": "เทียบปีก่อน",
    "measure": "ตัวชี้วัด / Measure",
    "value": "ค่า / Value",
    "issued": "จำนวนบัตรคิว / Tickets issued",
    "served": "รับบริการเสร็จ / Served",
    "wait_mean_s": "เวลารอเฉลี่ย (วินาที) / Mean wait (s)",
    "within_target_pct": "ร้อยละภายในเป้าหมาย / % within target",
    "within_standard_pct": "ร้อยละภายในมาตรฐาน / % within standard",
    "dimension": "มิติ / Dimension",
    "respondents": "ผู้ตอบ / Respondents",
    "answers": "คำตอบ / Answers",
    "mean": "ค่าเฉลี่ย / Mean",
    "percent": "ร้อยละ / %",
    "previous_percent": "ปีงบประมาณก่อน ร้อยละ / Previous FY %",
    "question": "คำถาม / Question",
    "choice": "ตัวเลือก / Choice",
    "count": "จำนวน / Count",
    "received": "รับเรื่อง / Received",
    "per_1000_served": "ต่อผู้รับบริการ 1,000 ราย / Per 1,000 served",
    "acknowledged_within_pct": "ร้อยละตอบรับภายในกำหนด / % acknowledged in time",
    "resolved_within_pct": "ร้อยละแจ้งผลภายในกำหนด / % resolved in time",
    "median_days_to_resolve": "มัธยฐานวันถึงการแจ้งผล / Median days to resolve",
    "open": "ยังไม่แล้วเสร็จ / Open",
    "overdue": "เกินกำหนด / Overdue",
    "by_category": "ประเภท: {key}",
    "by_channel": "ช่องทาง: {key}",
    "root_cause": "สาเหตุซ้ำ: {key}",
    "staff_who_served": "เจ้าหน้าที่ที่ให้บริการ / Staff who served",
    "transactions": "รายการที่ให้บริการ / Transactions",
    "service": "งานบริการ / Service",
    "calls": "เรียกทั้งหมด / Calls",
    "in_order": "ตามลำดับ / In order",
    "out_of_order": "ข้ามลำดับ / Out of order",
    "in_order_pct": "ร้อยละตามลำดับ / % in order",
    "time": "เวลา / Time",
    "number": "หมายเลขคิว / Number",
    "counter": "ช่อง / Counter",
    "reason": "เหตุผล / Reason",
    "minutes": "ระยะเวลา (นาที) / Minutes",
    "fee": "ค่าธรรมเนียม (บาท) / Fee",
    "documents": "เอกสาร / Documents",
    "legal_basis": "กฎหมาย / Legal basis",
    "source": "ที่มา / Source",
    "previous": "ปีก่อน / Previous",
    "this_year": "ปีนี้ / This year",
    "direction": "ทิศทาง / Direction",
    "target": "เป้าหมาย / Target",
    "result": "ผล / Result",
}

# The summary's and the rows' export files (reports/service.py): sheet names.
EXPORT_SHEETS = {
    "summary": "สรุป Summary",
    "satisfaction": "ความพึงพอใจ Satisfaction",
    "definitions": "นิยาม Definitions",
    "rows": "รายการ Transactions",
}

# A counter by its number, as the console names it ("ช่อง {n}"; the reports add its own name).
COUNTER_NAME = CONSOLE["counter_n"]

T = {
    "province": ("เปรียบเทียบสำนักงาน", "Compare offices"),
    "province_note": (
        "ตัวเลขชุดเดียวกับรายงานสรุปของแต่ละสำนักงาน (นิยามท้ายรายงาน) ต่อรายการ เวลารอ = "
        "เรียกครั้งที่นำไปสู่การให้บริการ − ออกบัตร นับเฉพาะรายการที่ให้บริการ",
        "The same figures as each office's summary report (definitions in its footer): per "
        "transaction, wait = the call that led to service − issue, served transactions only.",
    ),
    "show": ("แสดง", "Show"),
    "office": ("สำนักงาน", "Office"),
    "standards": ("เวลามาตรฐานและเป้าหมายที่ใช้ประเมิน", "Standards applied"),
    "effective_from": ("มีผลตั้งแต่", "From"),
    "until": ("ถึง", "Until"),
    "from_the_start": ("ตั้งแต่เริ่มใช้ระบบ", "From the start"),
    "until_now": ("ปัจจุบัน", "Now"),
    "target_min": ("เป้าหมายเวลารอ (นาที)", "Wait target (min)"),
    "standards_note": (
        "แต่ละรายการประเมินตามเวลามาตรฐานที่ใช้อยู่ในวันที่ให้บริการ "
        "การแก้ไขเวลามาตรฐานไม่ย้อนไปเปลี่ยนผลของช่วงก่อนหน้า",
        "Each transaction is rated against the standard in force on its day; changing a "
        "standard never re-rates earlier periods.",
    ),
    "reports": ("รายงานผลการให้บริการ", "Service reports"),
    "dashboard": ("ภาพรวมการให้บริการ", "Service dashboard"),
    "evidence_title": ("รายงานผลการให้บริการ ประจำปีงบประมาณ พ.ศ. {fy}", "Service report, FY {fy}"),
    "evidence": (
        "เอกสารประกอบการสมัครขอรับการรับรองมาตรฐานศูนย์ราชการสะดวก (GECC)",
        "GECC evidence pack",
    ),
    "summary_yoy": (
        "สรุปผลการดำเนินงานเทียบปีงบประมาณก่อนและค่าเป้าหมาย",
        "Summary: year over year and targets",
    ),
    "measure": ("ตัวชี้วัด", "Measure"),
    "fy_short": ("ปีงบประมาณ {fy}", "FY {fy}"),
    "change": ("เปลี่ยนแปลง", "Change"),
    "target": ("ค่าเป้าหมาย", "Target"),
    "result": ("ผลเทียบเป้าหมาย", "Against target"),
    "yoy_legend": (
        "▲ ดีขึ้น ▼ แย่ลง ■ เท่าเดิม ตามความหมายของตัวชี้วัด (เช่น เวลารอที่ลดลงคือดีขึ้น) "
        "↑ ↓ จำนวนที่เพิ่มขึ้นหรือลดลง – ไม่มีข้อมูลหรือไม่ได้กำหนดค่าเป้าหมาย",
        "▲ better ▼ worse ■ the same, by the measure's meaning (a shorter wait is better); "
        "↑ ↓ counts up or down; – no data or no target set",
    ),
    "previous_line": ("ปีก่อน {value} {arrow}", "previous FY {value} {arrow}"),
    "interpretation": ("แปลผล", "Interpretation"),
    "interpretation_note": (
        "เกณฑ์แปลผลค่าเฉลี่ย: 4.21–5.00 มากที่สุด 3.41–4.20 มาก 2.61–3.40 ปานกลาง "
        "1.81–2.60 น้อย 1.00–1.80 น้อยที่สุด",
        "Mean levels: 4.21–5.00 very high, 3.41–4.20 high, 2.61–3.40 moderate, 1.81–2.60 low, "
        "1.00–1.80 very low",
    ),
    "sign": ("ลงชื่อ", "Signed"),
    "prepared_by": ("ผู้จัดทำ", "Prepared by"),
    "position": ("ตำแหน่ง", "Position"),
    "date_line": ("วันที่", "Date"),
    "office_head": ("หัวหน้าส่วนราชการ", "Head of the office"),
    "period": ("ช่วงเวลา", "Period"),
    "service": ("งานบริการ", "Service"),
    "counter": ("ช่องบริการ", "Counter"),
    "staff": ("เจ้าหน้าที่", "Staff"),
    "all": ("ทั้งหมด", "All"),
    "apply": ("แสดงผล", "Show"),
    "print": ("พิมพ์", "Print"),
    "overall": ("รวมทุกงาน", "All services"),
    "issued": ("จำนวนบัตรคิว", "Issued"),
    "transferred_in": ARRIVALS["requeued"],
    "served": OUTCOMES["done"],
    "transferred": OUTCOMES["transferred"],
    "no_show": STATUSES["no_show"],
    "cancelled": OUTCOMES["cancelled"],
    "unserved": STATUSES["unserved"],
    "wait": ("เวลารอ", "Wait"),
    "walk": ("เวลาเดินมาที่ช่อง", "Walk"),
    "service_time": ("เวลาให้บริการ", "Service"),
    "total": ("เวลารวม", "Total"),
    "mean": ("เฉลี่ย", "Mean"),
    "median": ("มัธยฐาน", "Median"),
    "wait_mean": ("เวลารอเฉลี่ย", "Mean wait"),
    "complaints_per_1000": ("ข้อร้องเรียนต่อผู้รับบริการ 1,000 ราย", "Complaints per 1,000 served"),
    "wait_median": ("เวลารอ (มัธยฐาน)", "Median wait"),
    "p90": ("P90", "P90"),
    "max": ("สูงสุด", "Max"),
    "within_standard": ("ภายในเวลามาตรฐาน", "Within standard"),
    "within_target": ("รอไม่เกินเป้าหมาย", "Wait within target"),
    "standard_min": ("เวลามาตรฐาน (นาที)", "Standard (min)"),
    "wait_bands": ("การกระจายของเวลารอ", "Wait bands"),
    "per_hour": (
        "ผู้มาติดต่อและผู้รับบริการรายชั่วโมง เทียบจำนวนช่องที่เปิด",
        "Arrivals and served per hour vs open counters",
    ),
    "heatmap": ("ผู้มาติดต่อเฉลี่ยต่อวัน ตามวันและชั่วโมง", "Average arrivals per day by weekday × hour"),
    "arrivals": ("ผู้มาติดต่อ", "Arrivals"),
    "open_counters": ("ช่องที่เปิด (เฉลี่ย)", "Open counters (avg)"),
    "priority": ("ช่องทางพิเศษ", "Priority channel"),
    "outside": ("การให้บริการนอกเวลาราชการ", "Service outside normal hours"),
    "counter_time": ("เวลาเปิด พัก และว่างของช่องบริการ", "Counter open, pause and idle time"),
    "open_h": ("เปิด (ชม.)", "Open (h)"),
    "busy_h": ("ให้บริการ (ชม.)", "Busy (h)"),
    "paused_h": ("พัก (ชม.)", "Paused (h)"),
    "idle_h": ("ว่าง (ชม.)", "Idle (h)"),
    "satisfaction": ("ความพึงพอใจของผู้รับบริการ", "Citizen satisfaction"),
    "item": ("ประเด็น", "Item"),
    "satisfaction_short": ("ความพึงพอใจ", "Satisfaction"),
    "respondents": ("ผู้ตอบแบบประเมิน", "Respondents"),
    "respondents_count": ("ผู้ตอบ {n} คน", "{n} respondents"),
    "answers": ("คำตอบ", "Answers"),
    "percent": ("ร้อยละ", "%"),
    "sample_warning": (
        "จำนวนผู้ตอบ {n} คน น้อยกว่าขนาดตัวอย่างขั้นต่ำ {need} คน (Yamane, e = 0.05) "
        "จากผู้มาติดต่อ {visitors} คน",
        "{n} respondents is below the minimum sample of {need} (Yamane, e = 0.05) for "
        "{visitors} visitors",
    ),
    "sample_ok": (
        "จำนวนผู้ตอบ {n} คน ไม่น้อยกว่าขนาดตัวอย่างขั้นต่ำ {need} คน (Yamane, e = 0.05)",
        "{n} respondents meets the minimum sample of {need} (Yamane, e = 0.05)",
    ),
    "comments": ("ความต้องการและข้อเสนอแนะ", "Needs and suggestions"),
    "by_service": ("แยกตามงานบริการ", "By service"),
    "by_counter": ("แยกตามช่องบริการ", "By counter"),
    "by_staff": ("แยกตามเจ้าหน้าที่ (เฉพาะหัวหน้าสำนักงาน)", "By staff (office head only)"),
    "office_head_only": (
        "หน้านี้สำหรับหัวหน้าสำนักงานเท่านั้น",
        "This page is for the office head only.",
    ),
    "by_quarter": ("แยกตามไตรมาส", "By quarter"),
    "by_month": ("แนวโน้มรายเดือน", "Monthly trend"),
    "by_day": ("แนวโน้มรายวัน", "Daily trend"),
    "definitions": ("นิยามตัวชี้วัด", "Metric definitions"),
    "generated": ("จัดทำเมื่อ", "Generated"),
    "minutes": ("นาที", "min"),
    "no_data": ("ไม่มีข้อมูลในช่วงเวลานี้", "No data in this period"),
    "export": ("ส่งออกข้อมูล", "Export"),
    "export_summary": ("สรุป", "Summary"),
    "export_rows": ("รายการรายคิว", "Per-ticket rows"),
    "live_note": (
        "วันที่ยังไม่ปิดวันทำการคำนวณจากบันทึกเหตุการณ์ล่าสุด",
        "Days not yet closed are computed from the latest event log",
    ),
    "evidence_link": ("รายงานประจำปีงบประมาณ (พิมพ์ A4)", "Fiscal-year evidence pack (A4)"),
    "summary_heading": ("สรุปผลการให้บริการ", "Summary"),
    "visitors": ("ผู้มาติดต่อ", "Visitors"),
    "certify": ("ผู้รับรองข้อมูล", "Certified by"),
    "survey_title": ("แบบประเมินความพึงพอใจ", "Satisfaction survey"),
    "survey_intro": (SURVEY_INVITATION[0], "Please rate the service you just received"),
    "survey_comment": ("ความต้องการหรือข้อเสนอแนะ (ไม่บังคับ)", "Needs or suggestions (optional)"),
    "survey_send": ("ส่งแบบประเมิน", "Send"),
    "survey_thanks": ("ขอบคุณที่ตอบแบบประเมิน", "Thank you for your feedback"),
    # Under an item left unanswered when the citizen pressed send.
    "survey_item_missing": ("กรุณาเลือกคะแนนข้อนี้", "Please rate this item"),
    "survey_missing_items": (
        "กรุณาให้คะแนนให้ครบทุกข้อ ยังไม่ได้ตอบข้อ",
        "Please rate every item; not yet rated:",
    ),
    # The thank-you page's way back to the ticket's status page.
    "survey_back": ("กลับไปหน้าสถานะคิว", "Back to your queue status"),
    "survey_waiting": ("รอผู้รับบริการรายต่อไป", "Waiting for the next citizen"),
    "survey_pair": (
        "กรุณาเปิดหน้านี้ด้วยอุปกรณ์ที่จับคู่แล้ว หรือเข้าสู่ระบบเจ้าหน้าที่",
        "Open this page on a paired device or signed in as staff",
    ),
    "survey_disconnected": ("ขาดการเชื่อมต่อ กำลังเชื่อมต่อใหม่…", "Disconnected, reconnecting…"),
    "ticket": ("บัตรคิว", "Ticket"),
}

# API error messages (Thai, English).
ERR = {
    "bad_date": (
        "วันที่ไม่ถูกต้อง: {value} (ใช้รูปแบบ ปปปป-ดด-วว เป็นปี ค.ศ. เช่น 2026-11-27)",
        "invalid date {value}: use YYYY-MM-DD in the Common Era, e.g. 2026-11-27",
    ),
    "be_year": (
        "ปี {year} เป็นปี พ.ศ. กรุณาใช้ปี ค.ศ. (พ.ศ. − 543) ในวันที่ เช่น 2026-11-27",
        "year {year} looks like a Buddhist Era year; dates use the Common Era (BE − 543)",
    ),
    "date_range": (
        "วันที่ {value} อยู่นอกช่วงที่ออกรายงานได้ (ปี ค.ศ. {first}–{last})",
        "date {value} is outside the range reports cover (years {first}–{last} CE)",
    ),
    "province_forbidden": (
        "บัญชีนี้ยังไม่ได้รับสิทธิ์เปรียบเทียบสำนักงาน",
        "this account may not compare offices",
    ),
    "range_order": (
        "วันเริ่มต้นต้องไม่อยู่หลังวันสิ้นสุด",
        "the start date must not be after the end date",
    ),
    "range_long": (
        "ช่วงเวลายาวเกินไป (ไม่เกิน {days} วัน)",
        "the period is too long (at most {days} days)",
    ),
    "bad_fy": (
        "ปีงบประมาณไม่ถูกต้อง: {value} (ใช้ปี พ.ศ. เช่น 2569)",
        "invalid fiscal year {value}: use the Buddhist Era year, e.g. 2569",
    ),
    "bad_quarter": ("ไตรมาสต้องเป็น 1–4", "the fiscal quarter must be 1–4"),
    "bad_period": ("ชนิดช่วงเวลาไม่ถูกต้อง", "unknown period kind"),
    "no_office": ("ไม่พบสำนักงาน", "office not found"),
    "no_ticket": ("ไม่พบบัตรคิวนี้", "no such ticket"),
    "not_finished": (
        "บัตรคิวนี้ยังไม่ได้รับบริการเสร็จ จึงยังตอบแบบประเมินไม่ได้",
        "this ticket has not been served yet; the survey opens when service is finished",
    ),
    "answered": (
        "บัตรคิวนี้ตอบแบบประเมินแล้ว ขอบคุณที่สละเวลา",
        "the survey for this ticket has already been answered",
    ),
    "expired": (
        "หมดเวลาตอบแบบประเมินของบัตรคิวนี้แล้ว",
        "the survey for this ticket has closed",
    ),
    "missing_items": (
        "กรุณาให้คะแนนให้ครบทุกข้อ: {items}",
        "please rate every item: {items}",
    ),
    "unknown_items": ("ไม่มีข้อประเมินนี้: {items}", "unknown survey items: {items}"),
    "items_count": (
        "แบบประเมินต้องมี 1–{max} ข้อที่ใช้งาน",
        "the survey needs between 1 and {max} active items",
    ),
    "items_duplicate": ("รหัสข้อประเมินซ้ำกัน: {code}", "duplicate item code: {code}"),
    "no_counter": ("ไม่พบช่องบริการ {number}", "no counter {number}"),
    "not_at_counter": (
        "บัตรคิวนี้ไม่ใช่บัตรคิวล่าสุดที่ช่องบริการ {number} ให้บริการเสร็จ จึงตอบแบบประเมินที่นี่ไม่ได้",
        "this is not the ticket counter {number} finished last; it cannot be answered here",
    ),
    "unknown_service": ("ไม่พบงานบริการนี้", "no such service"),
    "unknown_counter": ("ไม่พบช่องบริการนี้", "no such counter"),
    "bad_format": ("รูปแบบไฟล์ไม่ถูกต้อง (csv หรือ xlsx)", "format must be csv or xlsx"),
    "needs_question": (
        "คำถามสำรวจความต้องการต้องมีรหัสไม่ซ้ำ ชื่อภาษาไทย และตัวเลือกอย่างน้อย 1 ข้อ",
        "each needs question needs a unique code, a Thai label and at least one choice",
    ),
    "needs_choices": ("ตัวเลือกซ้ำกัน", "duplicate choice codes in {code}"),
    "needs_answer": ("คำตอบไม่ตรงกับแบบสำรวจ", "unknown question or choice in {code!r}"),
    "range_missing": (
        "กรุณาระบุช่วงวันที่ from และ to (ปปปป-ดด-วว)",
        "give from and to as YYYY-MM-DD",
    ),
    "office_head_only": (
        "รายงานรายบุคคลสำหรับหัวหน้าสำนักงานเท่านั้น",
        "per-staff reports are for the office head (manager role) only",
    ),
    # The second sentence is the next step (THAI-TERMS.md: a refusal says what to do).
    "needs_too_many": (
        "ขออภัย มีการส่งแบบสำรวจมากเกินไป กรุณาลองใหม่ภายหลัง",
        "too many answers",
    ),
    "counter_survey_device": (
        "แบบประเมินที่ช่องบริการเปิดได้บนจอแสดงผลหรือโดยเจ้าหน้าที่เท่านั้น",
        "the counter survey opens on a paired display or for signed-in staff only",
    ),
    "too_long": ("ค่าที่ส่งมายาวเกินไป", "{key} is too long"),
    "bad_filter": ("ตัวกรองไม่ถูกต้อง", "invalid filter value"),
    "item_code": (
        "รหัสข้อประเมินไม่ถูกต้อง: {code!r} (a–z, 0–9, _)",
        "invalid item code {code!r}: lowercase letters, digits, _",
    ),
    "item_labels": (
        "กรุณาใส่ชื่อข้อประเมินทั้งภาษาไทยและอังกฤษ",
        "every item needs a Thai and an English label",
    ),
    "item_dimension": (
        "มิติของข้อประเมินไม่ถูกต้อง: {dimension!r}",
        "dimension must be one of: {allowed}",
    ),
    "score": ("คะแนนข้อ {code} ต้องเป็น 1–5", "score of {code} must be 1–5"),
    "survey_channel": ("ช่องทางไม่ถูกต้อง", "channel must be one of {allowed}"),
    "needs_empty": (
        "กรุณาเลือกอย่างน้อย 1 ข้อ หรือเขียนความต้องการ",
        "tick at least one choice or write something",
    ),
    "unknown_office": ("ไม่พบสำนักงานนี้", "unknown office"),
    "needs_every": (
        "จำนวนผู้ตอบ (เสนอแบบสำรวจทุก ๆ กี่คน) ต้องเป็นจำนวนเต็ม 0–{max}",
        "every must be a whole number from 0 to {max}",
    ),
}


# ---- The CSV and XLSX exports (reports/exports.py): column headings "ไทย / English".

# Outcome columns of the summary, in order (as exports.summary_rows writes them), named as every
# report names them.
EXPORT_OUTCOME_COLUMNS = ("done", "transferred", "no_show", "cancelled", "unserved")

EXPORT_SUMMARY_HEADER: list[str] = [
    "งานบริการ / Service",
    "จำนวนบัตรคิว / Issued",
    *[
        f"{th} / {en}"
        for th, en in (ARRIVAL["requeued"], *(OUTCOME[k] for k in EXPORT_OUTCOME_COLUMNS))
    ],
    "รอเฉลี่ย (วินาที) / Wait mean (s)",
    "รอมัธยฐาน / Wait median (s)",
    "รอ P90 / Wait p90 (s)",
    "รอสูงสุด / Wait max (s)",
    "เดินเฉลี่ย / Walk mean (s)",
    "ให้บริการเฉลี่ย / Service mean (s)",
    "ให้บริการมัธยฐาน / Service median (s)",
    "ให้บริการ P90 / Service p90 (s)",
    "ให้บริการสูงสุด / Service max (s)",
    "รวมเฉลี่ย / Total mean (s)",
    "รวม P90 / Total p90 (s)",
    *[f"รอ {th} / Wait {en}" for _, th, en in BANDS],
    "เวลามาตรฐาน (นาที) / Standard (min)",
    "% ภายในมาตรฐาน / % within standard",
    "% รอไม่เกินเป้าหมาย / % wait within target",
    "ผู้ตอบแบบประเมิน (คน) / Satisfaction respondents",
    "คำตอบรายข้อ / Item answers",
    "ความพึงพอใจเฉลี่ย / Satisfaction mean",
    "S.D.",
    "ความพึงพอใจ % / Satisfaction %",
]

EXPORT_ROWS_HEADER: list[str] = [
    "วันที่ / Date",
    "วันที่ (พ.ศ.)",
    "หมายเลข / Number",
    "รายการที่ / Transaction",
    "รหัสงาน / Service code",
    "งานบริการ / Service",
    "ประเภทคิว / Priority",
    "เข้าคิวโดย / Arrival",
    "ผล / Outcome",
    "ช่อง / Counter",
    "เข้าคิว / Queued",
    "ถูกเรียก / Called",
    "เริ่มบริการ / Started",
    "สิ้นสุด / Ended",
    "รอ (วินาที) / Wait (s)",
    "เดิน (วินาที) / Walk (s)",
    "ให้บริการ (วินาที) / Service (s)",
    "พักคิว (วินาที) / Hold (s)",
    "รวม (วินาที) / Total (s)",
    "เรียกซ้ำ / Recalls",
    "ภายในมาตรฐาน / Within standard",
    "รอไม่เกินเป้าหมาย / Within target",
    "นอกเวลาราชการ / Outside hours",
    "ช่วงให้บริการ / Service segments",
    "ไม่ได้ให้บริการระหว่างเริ่มถึงเสร็จ (วินาที) / Not serving between start and end (s)",
]
EXPORT_STAFF_HEADER = "เจ้าหน้าที่ / Staff"
# The rest of the exports' words.
EXPORT: dict[str, tuple[str, str]] = {
    "item": ("ข้อประเมิน", "Item"),
    "answers": ("คำตอบ", "Answers"),
    "mean": ("ค่าเฉลี่ย", "Mean"),
    "percent": ("ร้อยละ", "%"),
    "overall": ("รวม", "Overall"),
    "respondents": ("ผู้ตอบแบบประเมิน (คน)", "Respondents (people)"),
    "minimum_sample": ("ขนาดตัวอย่างขั้นต่ำ (Yamane e=0.05)", "Minimum sample"),
    "days": ("วัน", "days"),
    "yes": ("ใช่", "Yes"),
    "no": ("ไม่", "No"),
}


def heading(words: tuple[str, str]) -> str:
    """A pair as one cell or heading of an export: "ไทย / English"."""
    return f"{words[0]} / {words[1]}"


def err(key: str, /, **values: object) -> tuple[str, str]:
    """An API error message with its placeholders filled: (Thai, English)."""
    return fill(ERR[key], **values)


def pair(key: str, **values: object) -> tuple[str, str]:
    """A word or sentence of the reports' own (`T`) with its placeholders filled."""
    return fill(T[key], **values)

"""Every word of advance booking: (Thai, English), Thai first (THAI-TERMS.md)."""

from __future__ import annotations

from bookings.rules import Source

SOURCE: dict[str, tuple[str, str]] = {
    Source.WEB: ("จองผ่านเว็บไซต์", "Booked online"),
    Source.STAFF: ("เจ้าหน้าที่จองให้", "Booked by staff"),
    Source.IMPORT: ("นำเข้าจากระบบอื่น", "Imported from another system"),
}

# Monday first, as date.weekday() counts.
WEEKDAYS: list[tuple[str, str]] = [
    ("จ.", "Mon"),
    ("อ.", "Tue"),
    ("พ.", "Wed"),
    ("พฤ.", "Thu"),
    ("ศ.", "Fri"),
    ("ส.", "Sat"),
    ("อา.", "Sun"),
]

# Why a day cannot be booked, in a word for the day picker (ERR has the full sentence).
DAY_NOTE: dict[str, tuple[str, str]] = {
    "not_bookable": ("ไม่เปิดจอง", "Not bookable"),
    "too_soon": ("รับบัตรคิวที่ตู้", "Walk in"),
    "too_far": ("ยังไม่เปิดจอง", "Not yet open"),
    "holiday": ("วันหยุดราชการ", "Public holiday"),
    "closed_day": ("ปิดทำการ", "Closed"),
    "past_cutoff": ("ปิดรับจองแล้ว", "Booking closed"),
}

STATUS: dict[str, tuple[str, str]] = {
    "booked": ("นัดหมายแล้ว", "Booked"),
    "checked_in": ("รับบัตรคิวตามนัดแล้ว", "Checked in"),
    "cancelled": ("ยกเลิกแล้ว", "Cancelled"),
    "missed": ("ไม่มาตามนัด", "Did not come"),
}

# Domain errors: key -> (Thai, English). Refusals start with ขออภัย and give the next step.
ERR: dict[str, tuple[str, str]] = {
    "unknown_office": ("ไม่พบสำนักงานนี้", "unknown office"),
    "choose_office": ("กรุณาเลือกสำนักงาน", "choose an office (office=CODE)"),
    "unknown_service": ("ไม่พบบริการนี้", "unknown service"),
    "not_bookable": (
        "ขออภัย บริการนี้ไม่เปิดให้จองล่วงหน้า กรุณารับบัตรคิวที่ตู้กดบัตรคิวในวันที่มาติดต่อ",
        "this service cannot be booked; take a ticket at the kiosk on the day",
    ),
    "too_soon": (
        "ขออภัย จองล่วงหน้าได้ตั้งแต่วันพรุ่งนี้เป็นต้นไป สำหรับวันนี้กรุณารับบัตรคิวที่ตู้กดบัตรคิว",
        "bookings start tomorrow; for today take a ticket at the kiosk",
    ),
    "too_far": (
        "ขออภัย จองล่วงหน้าได้ไม่เกิน {days} วัน กรุณาเลือกวันที่ใกล้กว่านี้",
        "bookings open at most {days} days ahead; choose an earlier day",
    ),
    "holiday": (
        "ขออภัย วันนี้เป็นวันหยุดราชการ กรุณาเลือกวันอื่น",
        "that day is a public holiday; choose another day",
    ),
    "closed_day": (
        "ขออภัย สำนักงานไม่เปิดให้บริการวันนี้ กรุณาเลือกวันอื่น",
        "the office is closed that day; choose another day",
    ),
    "past_cutoff": (
        "ขออภัย ปิดรับจองของวันพรุ่งนี้แล้ว (ปิดเวลา {cutoff} น.) กรุณาเลือกวันอื่น",
        "bookings for tomorrow closed at {cutoff}; choose another day",
    ),
    "no_slot": (
        "ขออภัย ไม่มีช่วงเวลานี้ กรุณาเลือกช่วงเวลาจากรายการ",
        "no such time slot; choose one from the list",
    ),
    "slot_full": (
        "ขออภัย ช่วงเวลานี้เต็มแล้ว กรุณาเลือกช่วงเวลาอื่น",
        "this time slot is full; choose another",
    ),
    "bad_phone": (
        "กรุณากรอกหมายเลขโทรศัพท์ให้ถูกต้อง (เช่น 081 234 5678)",
        "enter a valid Thai phone number (e.g. 081 234 5678)",
    ),
    "no_name": ("กรุณากรอกชื่อ-นามสกุล", "enter your name"),
    "no_consent": (
        "กรุณายินยอมให้สำนักงานใช้ชื่อและหมายเลขโทรศัพท์เพื่อการนัดหมายนี้",
        "consent is needed to keep your name and phone for this booking",
    ),
    "phone_limit": (
        "ขออภัย หมายเลขโทรศัพท์นี้จองวันนั้นครบ {limit} รายการแล้ว",
        "this phone number already holds {limit} bookings that day",
    ),
    "bad_code": ("รหัสนัดหมายไม่ถูกต้อง", "invalid booking code"),
    "not_found": (
        "ไม่พบรหัสนัดหมายนี้ กรุณาตรวจสอบรหัสอีกครั้ง หรือติดต่อเจ้าหน้าที่",
        "no booking with this code; check it or ask the staff",
    ),
    "cancelled": (
        "ขออภัย การนัดหมายนี้ถูกยกเลิกแล้ว กรุณารับบัตรคิวทั่วไป",
        "this booking was cancelled; take an ordinary ticket",
    ),
    "checked_in": (
        "การนัดหมายนี้รับบัตรคิวไปแล้ว (บัตรคิว {number})",
        "this booking has already been checked in (ticket {number})",
    ),
    "other_day": (
        "ขออภัย การนัดหมายนี้เป็นของวันที่ {day} กรุณามาตามวันนัด หรือรับบัตรคิวทั่วไป",
        "this booking is for {day}; come on that day or take an ordinary ticket",
    ),
    "early": (
        "ขออภัย ยังไม่ถึงเวลารับบัตรคิวตามนัด (นัด {slot} น.) กรุณากลับมาตั้งแต่เวลา {opens} น.",
        "too early to check in (booked for {slot}); come back from {opens}",
    ),
    "late": (
        "ขออภัย เลยเวลารับบัตรคิวตามนัดแล้ว (นัด {slot} น.) กรุณารับบัตรคิวทั่วไปที่ตู้กดบัตรคิว",
        "too late to check in (booked for {slot}); please take an ordinary ticket",
    ),
    "service_closed": (
        "ขออภัย บริการนี้ปิดให้บริการ กรุณาติดต่อเจ้าหน้าที่",
        "this service is closed; please ask the staff",
    ),
    "imported": (
        "ขออภัย นัดหมายนี้มาจากระบบอื่น กรุณาเปลี่ยนหรือยกเลิกที่ระบบนั้น หรือติดต่อเจ้าหน้าที่",
        "this booking comes from another system; change or cancel it there, or ask the staff",
    ),
    "past_booking": (
        "ขออภัย การนัดหมายนี้ผ่านไปแล้ว เปลี่ยนหรือยกเลิกไม่ได้",
        "this booking is in the past; it cannot be moved or cancelled",
    ),
    "rate_limited": (
        "ขออภัย มีการทำรายการจากเครื่องนี้มากเกินไป กรุณาลองใหม่ภายหลัง",
        "too many requests from this address; try again later",
    ),
    "device_kind": ("อุปกรณ์นี้ทำรายการนี้ไม่ได้", "devices cannot do this"),
    "other_office": ("การนัดหมายนี้เป็นของสำนักงานอื่น", "this booking is for another office"),
    "bad_setting": ("ค่าที่ตั้งไม่ถูกต้อง: {field}", "invalid setting: {field}"),
    "csv_empty": ("ไฟล์ไม่มีข้อมูล", "the file has no rows"),
    "csv_columns": (
        "ไม่พบคอลัมน์ {columns} ในไฟล์ กรุณาตั้งค่าการจับคู่คอลัมน์",
        "column(s) {columns} not found in the file; set the column mapping",
    ),
}

# The booking page (/book) and the kiosk keypad.
PAGE: dict[str, tuple[str, str]] = {
    "title": ("จองคิวล่วงหน้า", "Book a visit"),
    "choose_service": ("1. เลือกบริการ", "1. Choose a service"),
    "choose_day": ("2. เลือกวัน", "2. Choose a day"),
    "choose_slot": ("3. เลือกช่วงเวลา", "3. Choose a time"),
    "your_details": ("4. ชื่อและหมายเลขโทรศัพท์", "4. Your name and phone"),
    "name": ("ชื่อ-นามสกุล", "Full name"),
    "phone": ("หมายเลขโทรศัพท์มือถือ", "Mobile phone number"),
    "consent": (
        "ข้าพเจ้ายินยอมให้สำนักงานเก็บชื่อและหมายเลขโทรศัพท์เพื่อใช้สำหรับการนัดหมายนี้เท่านั้น "
        "ตามพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 (ไม่ต้องใช้เลขประจำตัวประชาชน)",
        "I agree that the office keeps my name and phone for this booking only (PDPA); "
        "no national ID number is needed",
    ),
    "book": ("ยืนยันการจอง", "Confirm booking"),
    "left": ("ว่าง {n}", "{n} left"),
    "full": ("เต็ม", "Full"),
    "no_slots": ("ไม่มีช่วงเวลาว่างในวันนี้", "No free time that day"),
    "done": ("จองสำเร็จ", "Booked"),
    "your_code": ("รหัสนัดหมายของท่าน", "Your booking code"),
    "show_code": (
        'วันนัด กรุณามาถึงก่อนเวลานัด แตะปุ่ม "มีนัดหมาย" ที่ตู้กดบัตรคิว แล้วกรอกรหัสนี้หรือสแกนคิวอาร์โค้ด',
        'On the day, come a little early, tap "I have a booking" at the kiosk and enter this '
        "code or scan the QR code",
    ),
    "window": (
        "รับบัตรคิวตามนัดได้ตั้งแต่ {before} นาทีก่อนเวลานัด ถึง {after} นาทีหลังเวลานัด",
        "Check in from {before} minutes before to {after} minutes after your time",
    ),
    "bring": ("เอกสารที่ต้องนำมา", "What to bring"),
    "manage": ("เปลี่ยนหรือยกเลิกนัดหมาย", "Move or cancel a booking"),
    "code": ("รหัสนัดหมาย", "Booking code"),
    "find": ("ค้นหา", "Find"),
    "cancel": ("ยกเลิกนัดหมาย", "Cancel booking"),
    "cancel_confirm": ("ยืนยันยกเลิกนัดหมายนี้หรือไม่", "Cancel this booking?"),
    "cancelled": ("ยกเลิกนัดหมายแล้ว", "Booking cancelled"),
    "move": ("เปลี่ยนวันเวลา", "Move to another time"),
    "moved": ("เปลี่ยนวันเวลานัดหมายแล้ว", "Booking moved"),
    "back": ("ย้อนกลับ", "Back"),
    "service": ("บริการ", "Service"),
    "when": ("วันเวลานัด", "Date and time"),
    "status": ("สถานะ", "Status"),
    "office": ("สำนักงาน", "Office"),
    "new": ("จองใหม่", "Book another"),
    "minutes": ("นาที", "min"),
    "booked_mark": ("นัดหมาย", "Booked"),
}

# Staff console and admin.
STAFF: dict[str, tuple[str, str]] = {
    "heading": ("นัดหมายวันนี้", "Today's bookings"),
    "desk": ("งานนัดหมาย", "Bookings desk"),
    "none_today": ("ไม่มีนัดหมายวันนี้", "No bookings today"),
    "book_for": ("จองให้ผู้ติดต่อ", "Book for a caller"),
    "check_in": ("รับบัตรคิวตามนัด", "Check in"),
    "checked_in": ("ออกบัตรคิว {number} แล้ว", "Ticket {number} issued"),
    "booked": ("จองแล้ว รหัสนัดหมาย {code}", "Booked: code {code}"),
    "service": ("บริการ", "Service"),
    "date": ("วันที่", "Date"),
    "time": ("เวลา", "Time"),
    "name": ("ชื่อ-นามสกุล", "Name"),
    "phone": ("หมายเลขโทรศัพท์", "Phone"),
    "save": ("จอง", "Book"),
    "close": ("ปิด", "Close"),
    "all": ("ดูทั้งหมด", "Open the desk"),
    "code": ("รหัส", "Code"),
    "source": ("ช่องทาง", "Channel"),
    "status": ("สถานะ", "Status"),
    "ticket": ("บัตรคิว", "Ticket"),
    "file": ("ไฟล์ CSV", "CSV file"),
    "column_of": ("คอลัมน์ของ {field}", "Column of {field}"),
    "save_columns": ("จำการจับคู่คอลัมน์นี้ไว้", "Remember this column mapping"),
    "do_import": ("นำเข้า", "Import"),
    "rules": ("การจองล่วงหน้าแต่ละบริการ", "Booking per service"),
    "enabled": ("เปิดจอง", "Bookable"),
    "slot_minutes": ("ช่วงละ (นาที)", "Slot (min)"),
    "capacity": ("รับต่อช่วง", "Per slot"),
    "capacity_hint": (
        "เว้นว่าง = คำนวณจากช่องบริการและเวลามาตรฐาน",
        "Empty: from counters and standard time",
    ),
    "share_pct": ("สัดส่วนให้จอง (%)", "Share for bookings (%)"),
    "window_days": ("จองล่วงหน้าได้ (วัน)", "Days ahead"),
    "cutoff": ("ปิดรับจองวันก่อนเวลา", "Closes the day before at"),
    "check_in_before": ("รับบัตรคิวได้ก่อนเวลานัด (นาที)", "Check-in opens (min before)"),
    "check_in_after": ("รับบัตรคิวได้หลังเวลานัด (นาที)", "Check-in closes (min after)"),
    "per_phone": ("จองได้ต่อหมายเลขโทรศัพท์ต่อวัน", "Bookings per phone per day"),
    "saved": ("บันทึกแล้ว", "Saved"),
    "save_settings": ("บันทึก", "Save"),
    "counters": ("ช่องบริการ", "Counters"),
    "standard": ("เวลามาตรฐาน (นาที)", "Standard (min)"),
    "public_link": ("หน้าจองสำหรับประชาชน", "Public booking page"),
    "import": ("นำเข้านัดหมายจากไฟล์ CSV", "Import bookings from CSV"),
    "mapping": ("การจับคู่คอลัมน์", "Column mapping"),
    "imported": (
        "นำเข้า {added} รายการ ข้าม {skipped} รายการ",
        "{added} imported, {skipped} skipped",
    ),
    "settings": ("ตั้งค่าการจองล่วงหน้า", "Booking settings"),
}

# The import's fields: what each column of a CSV file means.
IMPORT_FIELDS: dict[str, tuple[str, str]] = {
    "code": ("รหัสนัดหมาย", "Booking code"),
    "service": ("รหัสบริการ", "Service code"),
    "date": ("วันที่นัด", "Date"),
    "time": ("เวลานัด", "Time"),
    "name": ("ชื่อ-นามสกุล", "Name"),
    "phone": ("หมายเลขโทรศัพท์", "Phone"),
}

# The report section (reports/sections.py, "channels").
REPORT: dict[str, tuple[str, str]] = {
    "heading": ("ช่องทางการเข้ารับบริการและการนัดหมาย", "Channels and bookings"),
    "walk_in": ("รับบัตรคิวที่สำนักงาน", "Walk-in"),
    "booked": ("จองล่วงหน้าผ่านระบบนี้", "Booked here"),
    "imported": ("นัดหมายจากระบบอื่น", "Imported booking"),
    # Added by the LINE package (app.state.channel_counts); overlaps the channels above.
    "line_linked": ("รับแจ้งเตือนผ่าน LINE", "LINE-linked"),
    "on_time": ("มาตามเวลานัด", "On time"),
    "early": ("มาก่อนเวลานัด", "Early"),
    "late": ("มาหลังเวลานัด", "Late"),
    "no_show": ("ไม่มาตามนัด", "No-show"),
    "cancelled": ("ยกเลิกนัด", "Cancelled"),
    "total": ("จำนวนบัตรคิวทั้งหมด", "Tickets issued"),
    "arrivals": ("ผู้มารับบริการแยกตามช่องทาง", "Arrivals by channel"),
    "bookings": ("การนัดหมาย", "Bookings"),
    "made": ("นัดหมายทั้งหมด", "Bookings made"),
    "checked_in": ("มารับบัตรคิวตามนัด", "Checked in"),
    "pending": ("ยังไม่ถึงวันนัด", "Not yet due"),
    "no_show_pct": ("ร้อยละไม่มาตามนัด", "No-show %"),
    "punctuality": ("การมาตามเวลานัด", "Punctuality"),
    "on_time_pct": ("ร้อยละมาก่อนหรือตรงเวลานัด", "% early or on time"),
    "mean_offset": (
        "มาถึงเทียบกับเวลานัดโดยเฉลี่ย (นาที; ติดลบ = ก่อนเวลา)",
        "Mean arrival vs slot (min; negative = early)",
    ),
    "definitions": (
        "นับจากบัตรคิวที่ออกในช่วงเวลา: บัตรคิวที่รับตามนัดแยกเป็นจองผ่านระบบนี้และนัดหมายจากระบบอื่น "
        "ที่เหลือเป็นการรับบัตรคิวที่สำนักงาน; มาตรงเวลา = รับบัตรคิวภายใน 15 นาทีแรกของเวลานัด; "
        "ไม่มาตามนัด = นัดหมายของวันที่ผ่านมาแล้วที่ไม่ได้ยกเลิกและไม่ได้รับบัตรคิว; "
        "เวลารอของบัตรคิวตามนัดนับจากเวลานัดหรือเวลารับบัตรคิว แล้วแต่อย่างใดช้ากว่า",
        "From the tickets issued in the period: checked-in bookings are booked here or imported, "
        "every other ticket is a walk-in; on time = checked in within the slot's first 15 "
        "minutes; no-show = a booking of a past day never cancelled nor checked in; a booked "
        "ticket's wait counts from the later of its slot and its check-in",
    ),
}

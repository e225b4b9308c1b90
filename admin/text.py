"""Every user-facing string of the admin package, Thai first and English second."""

from __future__ import annotations

from typing import Any

from counter.texts import fill

Bilingual = tuple[str, str]

# Error and confirmation messages; {name} placeholders are filled by message().
MESSAGES: dict[str, Bilingual] = {
    # office
    "name_th_required": ("กรุณากรอกชื่อสำนักงานภาษาไทย", "the Thai office name is required"),
    "name_en_required": ("กรุณากรอกชื่อสำนักงานภาษาอังกฤษ", "the English office name is required"),
    "too_long": ("{field_th} ยาวเกิน {max} ตัวอักษร", "{field_en} is longer than {max} characters"),
    "timezone": ("เขตเวลา {value} ไม่ถูกต้อง", "unknown timezone {value!r}"),
    "time_format": (
        "{field_th} ต้องเป็นเวลาแบบ ชั่วโมง:นาที เช่น 08:30",
        "{field_en} must be a time as HH:MM, e.g. 08:30",
    ),
    "hours_order": ("เวลาเปิดต้องก่อนเวลาปิด", "opening time must be before closing time"),
    "range": (
        "{field_th} ต้องอยู่ระหว่าง {low} ถึง {high}",
        "{field_en} must be from {low} to {high}",
    ),
    "choice": ("{field_th} ไม่ถูกต้อง", "{field_en} must be one of: {choices}"),
    # holidays
    "holiday_exists": ("วันที่ {day} เป็นวันหยุดอยู่แล้ว", "{day} is already a holiday"),
    "holiday_not_found": ("ไม่พบวันหยุดนี้", "no such holiday"),
    "holiday_year": (
        "วันที่ {day} ไม่ได้อยู่ในปี {year_be}",
        "{day} is not in the year {year}",
    ),
    "date_format": (
        "วันที่ {value} ไม่ถูกต้อง (ใช้รูปแบบ ปี-เดือน-วัน เช่น 2026-12-05)",
        "date {value!r} is not valid; use YYYY-MM-DD, e.g. 2026-12-05",
    ),
    "holiday_duplicate": ("วันที่ {day} ซ้ำกันในรายการ", "{day} appears twice in the list"),
    # services
    "service_code": (
        "รหัสบริการต้องขึ้นต้นด้วยอักษรภาษาอังกฤษตัวเล็ก และมีเพียง a–z 0–9 หรือ _ (2–64 ตัว)",
        "a service code is 2–64 characters: a lowercase letter, then a–z, 0–9 or _",
    ),
    "service_exists": ("มีบริการรหัส {code} อยู่แล้ว", "a service with code {code!r} exists"),
    "service_not_found": ("ไม่พบบริการนี้", "no such service"),
    "service_unknown_code": (
        "ไม่พบบริการรหัส {code} ในสำนักงานนี้",
        "this office has no service with code {code!r}",
    ),
    "prefix": (
        "อักษรนำหน้าหมายเลขคิวต้องเป็นตัวอักษรภาษาอังกฤษ A–Z หนึ่งตัว",
        "the ticket prefix must be one letter A–Z",
    ),
    "service_name_th": ("กรุณากรอกชื่อบริการภาษาไทย", "the Thai service name is required"),
    "service_name_en": ("กรุณากรอกชื่อบริการภาษาอังกฤษ", "the English service name is required"),
    # counters
    "counter_exists": ("มีช่องบริการหมายเลข {number} อยู่แล้ว", "counter {number} already exists"),
    "counter_not_found": ("ไม่พบช่องบริการนี้", "no such counter"),
    "counter_needs_service": (
        "กรุณาเลือกบริการที่ช่องนี้ให้บริการอย่างน้อย 1 รายการ",
        "choose at least one service for this counter",
    ),
    "counter_service_twice": (
        "บริการ {code} ถูกเลือกซ้ำ",
        "service {code!r} is listed twice",
    ),
    "counter_ratio": (
        "สัดส่วนคิวพิเศษต่อคิวปกติไม่ถูกต้อง ({detail})",
        "the priority ratio is not valid: {detail}",
    ),
    "counter_in_use": (
        "ช่องบริการ {number} มีเจ้าหน้าที่ใช้งานอยู่ กรุณาปิดช่องก่อนปิดการใช้งาน",
        "counter {number} is open; close it before deactivating it",
    ),
    # staff
    "username": (
        "ชื่อผู้ใช้ต้องมี 3–64 ตัว เป็นอักษรภาษาอังกฤษตัวเล็ก ตัวเลข จุด ขีด หรือ _",
        "a username is 3–64 characters of a–z, 0–9, '.', '-' or '_'",
    ),
    "username_exists": ("ชื่อผู้ใช้ {username} มีผู้ใช้แล้ว", "username {username!r} is taken"),
    "staff_not_found": ("ไม่พบเจ้าหน้าที่นี้", "no such staff member"),
    "role": ("บทบาทไม่ถูกต้อง", "role must be admin, manager or staff"),
    "last_admin": (
        "ต้องมีผู้ดูแลระบบที่ใช้งานได้อย่างน้อย 1 คน",
        "the office must keep at least one active admin",
    ),
    "not_yourself": (
        "ไม่สามารถปิดการใช้งานหรือลดสิทธิ์บัญชีของตนเองได้",
        "you cannot deactivate or demote your own account",
    ),
    # devices
    "device_not_found": ("ไม่พบอุปกรณ์นี้", "no such device"),
    "device_name": ("กรุณาตั้งชื่ออุปกรณ์", "the device needs a name"),
    "device_kind": ("ชนิดอุปกรณ์ต้องเป็นตู้กดบัตรคิวหรือจอแสดงผล", "kind must be kiosk or display"),
    "printer_invalid": (
        "การตั้งค่าเครื่องพิมพ์ไม่ถูกต้อง: {detail}",
        "the printer setting is not valid: {detail}",
    ),
    "printer_refused": (
        "เครื่องแม่ข่ายไม่อนุญาตให้ส่งงานพิมพ์ไปยังปลายทางนี้ กรุณาใช้เครื่องพิมพ์ในเครือข่ายของสำนักงาน "
        "หรือแจ้งผู้ดูแลเครื่องแม่ข่าย: {detail}",
        "the server does not allow printing to this target; use a printer on the office "
        "network or ask the server operator: {detail}",
    ),
    "printer_on_display": (
        "จอแสดงผลไม่มีเครื่องพิมพ์ กรุณาเว้นช่องเครื่องพิมพ์ว่างไว้",
        "a display has no printer; leave the printer empty",
    ),
    "printer_none": (
        "ตู้นี้ยังไม่ได้ตั้งค่าเครื่องพิมพ์",
        "this kiosk has no printer configured",
    ),
    "printer_browser": (
        "ตู้นี้พิมพ์ผ่านเบราว์เซอร์ เครื่องแม่ข่ายพิมพ์หน้าทดสอบให้ไม่ได้ กรุณากดรับบัตรคิวที่ตู้แล้วดูใบที่ออกมา",
        "this kiosk prints through its browser; the server cannot print a test page there: "
        "take a ticket at the kiosk and look at the slip",
    ),
    "test_print_kiosk_only": (
        "พิมพ์หน้าทดสอบได้เฉพาะตู้กดบัตรคิว",
        "only a kiosk has a printer to test",
    ),
    "device_revoked": ("อุปกรณ์นี้ถูกยกเลิกแล้ว", "this device has been revoked"),
    "rendering_unavailable": (
        "เครื่องแม่ข่ายยังสร้างภาพบัตรคิวไม่ได้: {detail}",
        "the server cannot render tickets: {detail}",
    ),
    # province
    "already_shared": (
        "{username} ดูข้อมูลของสำนักงานนี้ได้อยู่แล้ว",
        "{username} can already compare this office",
    ),
    "share_not_found": ("ไม่พบสิทธิ์นี้", "no such share"),
    # configuration files
    "config_format": ("รูปแบบไฟล์ต้องเป็น JSON หรือ YAML", "format must be json or yaml"),
    "yaml_missing": (
        "เครื่องแม่ข่ายนี้ไม่รองรับไฟล์ YAML กรุณาใช้ JSON",
        "YAML is not available on this server; use JSON",
    ),
    "config_parse": (
        "อ่านไฟล์การตั้งค่าไม่ได้: {detail}",
        "the configuration file cannot be read: {detail}",
    ),
    "config_kind": (
        "ไฟล์นี้ไม่ใช่ไฟล์การตั้งค่าสำนักงานของระบบสะดวก",
        "this is not a Saduak office configuration file",
    ),
    "config_invalid": (
        "ไฟล์การตั้งค่าไม่ถูกต้องที่ {where}: {detail_th}",
        "the configuration file is not valid at {where}: {detail_en}",
    ),
    "config_schema": (
        "ไฟล์การตั้งค่ามีข้อมูลไม่ถูกต้อง: {detail}",
        "the configuration file has invalid data: {detail}",
    ),
    "office_code_mismatch": (
        "นำเข้าได้เฉพาะสำนักงานของท่านเอง ({own}) ไม่ใช่ {code}",
        "you can import only into your own office ({own}), not {code!r}",
    ),
    "office_not_found": ("ไม่พบสำนักงานรหัส {code}", "no office with code {code!r}"),
    # any form: what the fields' own checks said, in English
    "invalid_fields": ("ข้อมูลที่ส่งมาไม่ถูกต้อง", "{detail}"),
    # the test page through a kiosk's print agent
    "agent_silent": ("ตัวพิมพ์ของตู้ไม่ตอบ", "the kiosk's print agent did not answer"),
    # voice (shown by the admin page's script)
}

# Labels of the pages.
LABELS: dict[str, Bilingual] = {
    "app": ("สะดวก · ผู้ดูแลระบบ", "Saduak administration"),
    "overview": ("ภาพรวม", "Overview"),
    "office": ("สำนักงาน", "Office"),
    "services": ("บริการ", "Services"),
    "counters": ("ช่องบริการ", "Counters"),
    "staff": ("เจ้าหน้าที่", "Staff"),
    "devices": ("อุปกรณ์", "Devices"),
    "voice": ("เสียงประกาศ", "Voice"),
    "config": ("ส่งออก/นำเข้าการตั้งค่า", "Export / import"),
    "province": ("เปรียบเทียบสำนักงาน", "Compare offices"),
    "province_sharing": ("สิทธิ์ดูข้อมูลระดับจังหวัด", "Province access"),
    "audit": ("บันทึกการเปลี่ยนแปลง", "Audit log"),
    # Admin → LINE (the settings are the line package's: its API, its write-only secrets)
    "line": ("LINE Official Account", "LINE Official Account"),
    "line_help": (
        "ประชาชนกดปุ่ม แจ้งเตือนผ่าน LINE ที่หน้าสถานะบัตรคิว แล้วส่งรหัสในห้องแชตของสำนักงาน "
        "ระบบจะส่งข้อความเมื่อใกล้ถึงคิว เมื่อเรียกคิว และแบบประเมินความพึงพอใจหลังรับบริการ",
        "Citizens press Notify me on LINE on the status page and send the code in the office's "
        "chat; they are told when their turn is near, when they are called, and get the survey.",
    ),
    "line_write_only": (
        "Channel secret และ Channel access token จะไม่แสดงอีกหลังบันทึก เว้นว่างไว้เพื่อใช้ค่าเดิม",
        "The channel secret and access token are never shown again; leave empty to keep them.",
    ),
    "line_channel_secret": ("Channel secret", "Channel secret"),
    "line_access_token": ("Channel access token", "Channel access token"),
    "line_basic_id": ("LINE ID ของบัญชีทางการ", "Basic ID"),
    "line_near_threshold": ("แจ้งเตือนเมื่อเหลือคิวก่อนหน้า (คิว)", "Notify when this many are ahead"),
    "line_enabled": ("เปิดใช้การแจ้งเตือนผ่าน LINE", "LINE notifications on"),
    "line_webhook_url": ("Webhook URL (ใส่ใน LINE Developers)", "Webhook URL (for LINE Developers)"),
    "line_set": ("ตั้งค่าแล้ว", "set"),
    "line_unset": ("ยังไม่ได้ตั้งค่า", "not set"),
    "save": ("บันทึก", "Save"),
    "saved": ("บันทึกแล้ว", "Saved"),
    "add": ("เพิ่ม", "Add"),
    "edit": ("แก้ไข", "Edit"),
    "cancel": ("ยกเลิก", "Cancel"),
    "delete": ("ลบ", "Delete"),
    "activate": ("เปิดใช้งาน", "Activate"),
    "deactivate": ("ปิดใช้งาน", "Deactivate"),
    "active": ("ใช้งาน", "Active"),
    "inactive": ("ปิดใช้งานแล้ว", "Inactive"),
    "yes": ("ใช่", "Yes"),
    "no": ("ไม่", "No"),
    "items": ("รายการ", "items"),
    "none": ("ไม่มี", "None"),
    "actions": ("จัดการ", "Actions"),
    # office
    "office_names": ("ชื่อและเวลาทำการ", "Names and hours"),
    "name_th": ("ชื่อภาษาไทย", "Thai name"),
    "name_en": ("ชื่อภาษาอังกฤษ", "English name"),
    "code": ("รหัส", "Code"),
    "timezone": ("เขตเวลา", "Timezone"),
    "opens": ("เวลาเปิด", "Opens"),
    "closes": ("เวลาปิด", "Closes"),
    "hours_enforced": ("ออกบัตรคิวเฉพาะในเวลาทำการ", "Issue tickets only in office hours"),
    "lunch_service": ("เปิดให้บริการช่วงพักกลางวัน (12.00–13.00 น.)", "Service over lunch"),
    "saturday": ("เปิดให้บริการวันเสาร์", "Open on Saturdays"),
    "messages": ("ข้อความบนบัตรคิวและจอแสดงผล", "Ticket and display messages"),
    "footer_th": ("ข้อความท้ายบัตรคิว (ไทย)", "Ticket footer (Thai)"),
    "footer_en": ("ข้อความท้ายบัตรคิว (อังกฤษ)", "Ticket footer (English)"),
    "display_message": ("ข้อความวิ่งบนจอแสดงผล", "Display message"),
    "reports_voice": ("รายงานและเสียงประกาศ", "Reports and voice"),
    "thai_digits": ("ใช้เลขไทยในรายงานทางการ", "Thai digits in formal reports"),
    "voice_repeat": ("จำนวนครั้งที่ประกาศ", "Times each call is spoken"),
    "voice_english": ("ประกาศภาษาอังกฤษต่อท้าย", "English after Thai"),
    "voice_polite": ("คำลงท้าย", "Polite particle"),
    "polite_ka": ("ค่ะ (เสียงผู้หญิง)", "ka (female voice)"),
    "polite_krap": ("ครับ (เสียงผู้ชาย)", "krap (male voice)"),
    "holidays": ("วันหยุดราชการ", "Public holidays"),
    "holidays_help": (
        "วันหยุดเปลี่ยนทุกปี กรุณาปรับรายการทุกต้นปี ในวันหยุดตู้จะไม่ออกบัตรคิว",
        "Holidays move every year: review the list each year. No tickets are issued on them.",
    ),
    "holiday_day": ("วันที่", "Date"),
    "holiday_name": ("ชื่อวันหยุด", "Holiday"),
    "year": ("ปี พ.ศ.", "Year (BE)"),
    "replace_year": ("แทนที่รายการทั้งปี", "Replace the whole year"),
    "replace_year_help": (
        "วางรายการ บรรทัดละวัน: ปี-เดือน-วัน ตามด้วยชื่อ เช่น 2026-12-05 วันพ่อแห่งชาติ",
        "Paste one holiday per line: YYYY-MM-DD then its name",
    ),
    # services
    "prefix": ("อักษรนำหน้า", "Prefix"),
    "service_code": ("รหัสบริการ", "Service code"),
    "group": ("กลุ่มงาน", "Group"),
    "standard_minutes": ("เวลามาตรฐาน (นาที)", "Standard time (min)"),
    "wait_target_minutes": ("เป้าหมายเวลารอ (นาที)", "Wait target (min)"),
    "effective_from": ("เวลามาตรฐาน/เป้าหมายใหม่มีผลตั้งแต่", "New standard/target applies from"),
    "effective_from_help": (
        "เว้นว่าง = วันนี้ ช่วงเวลาก่อนหน้ายังประเมินตามมาตรฐานเดิม",
        "Empty = today; earlier periods keep the standard they were served under",
    ),
    "daily_cap": ("รับได้สูงสุดต่อวัน", "Daily cap"),
    "issue_cutoff": ("หยุดออกบัตรคิวเวลา", "Issuing cut-off"),
    "position": ("ลำดับ", "Order"),
    "new_service": ("เพิ่มบริการ", "New service"),
    "edit_service": ("แก้ไขบริการ", "Edit service"),
    "import_catalogue": ("นำเข้ารายการบริการมาตรฐานของอำเภอ", "Import the district catalogue"),
    "import_catalogue_help": (
        "เพิ่มบริการจากรายการมาตรฐาน (ข้ามบริการที่มีรหัสซ้ำ)",
        "Adds the bundled services; codes already present are skipped",
    ),
    "no_limit": ("ไม่จำกัด", "no limit"),
    # counters
    "number": ("หมายเลข", "Number"),
    "counter_name": ("ชื่อช่อง", "Counter name"),
    "mode": ("วิธีเลือกคิว", "Ordering"),
    "mode_order": ("ตามลำดับบริการ", "by service order"),
    "mode_weight": ("ตามน้ำหนัก", "by weights"),
    "priority_ratio": ("สัดส่วนคิวพิเศษ : คิวปกติ", "Priority : normal"),
    "priority_share": ("คิวพิเศษ", "Priority"),
    "normal_share": ("คิวปกติ", "Normal"),
    "ageing_cap": ("รอนานสุดก่อนได้ลำดับแรก (นาที)", "Ageing cap (min)"),
    "booked_in_row": (
        "บัตรคิวตามนัดเรียกก่อนได้ติดต่อกันไม่เกิน (คิว)",
        "Booked tickets called in a row, at most",
    ),
    "weight": ("น้ำหนัก", "Weight"),
    "served_services": ("บริการที่ให้บริการ", "Services served"),
    "new_counter": ("เพิ่มช่องบริการ", "New counter"),
    "edit_counter": ("แก้ไขช่องบริการ", "Edit counter"),
    "counter_help": (
        "ลำดับน้อยให้บริการก่อน บริการที่ลำดับเท่ากันเรียกตามเวลามาถึง "
        "หรือใช้น้ำหนัก เช่น 3:1 เรียกบริการแรก 3 คิวต่อบริการที่สอง 1 คิว",
        "Lower order is served first; equal orders share one line. "
        "With weights, 3:1 calls three of the first for each of the second.",
    ),
    "in_use_by": ("มีผู้ใช้งาน", "In use by"),
    # staff
    "username": ("ชื่อผู้ใช้", "Username"),
    "display_name": ("ชื่อที่แสดง", "Display name"),
    "role": ("บทบาท", "Role"),
    "role_admin": ("ผู้ดูแลระบบ", "Admin"),
    "role_manager": ("หัวหน้า/ผู้จัดการ", "Manager"),
    "role_staff": ("เจ้าหน้าที่", "Staff"),
    "new_staff": ("เพิ่มเจ้าหน้าที่", "New staff member"),
    "reset_password": ("ตั้งรหัสผ่านใหม่", "Reset password"),
    "password_once": (
        "รหัสผ่านนี้แสดงครั้งเดียว กรุณาจดและส่งให้เจ้าหน้าที่",
        "This password is shown once: note it and hand it over",
    ),
    "close": ("ปิด", "Close"),
    "copy_password": ("คัดลอกรหัสผ่าน", "Copy password"),
    "copied": ("คัดลอกแล้ว", "Copied"),
    "created_at": ("สร้างเมื่อ", "Created"),
    # devices
    "pair": ("จับคู่อุปกรณ์ใหม่", "Pair a new device"),
    "pair_help": (
        "เปิดหน้าตู้กดบัตรคิวหรือจอแสดงผลบนเครื่องใหม่ หน้าจอจะแสดงรหัส 6 ตัว "
        "กรอกรหัสนั้นที่นี่เพื่อยืนยัน (รหัสใช้ได้ 10 นาที)",
        "Open the kiosk or display page on the new screen; it shows a 6-character code. "
        "Enter it here (valid 10 minutes).",
    ),
    "pair_code": ("รหัสจับคู่", "Pairing code"),
    "paired": (
        "จับคู่ “{name}” แล้ว อุปกรณ์จะเชื่อมต่อเองภายในไม่กี่วินาที",
        "“{name}” is paired; it connects by itself within seconds",
    ),
    "poor_only": ("แสดงเฉพาะเสียงที่ไม่ชัดหรือไม่มีไฟล์", "Poor or missing only"),
    "voice_all_good": ("เสียงทุกคลิปใช้ได้ดี", "Every clip is good"),
    "kind": ("ชนิด", "Kind"),
    "kiosk": ("ตู้กดบัตรคิว", "Kiosk"),
    "display": ("จอแสดงผล", "Display"),
    "device_name": ("ชื่ออุปกรณ์", "Device name"),
    "printer": ("เครื่องพิมพ์", "Printer"),
    "printer_help": (
        "เช่น tcp://192.168.1.50:9100?width=512 หรือ usb://04b8:0202 หรือ none",
        "e.g. tcp://192.168.1.50:9100?width=512, usb://04b8:0202 or none",
    ),
    "last_seen": ("ติดต่อล่าสุด", "Last seen"),
    "never": ("ยังไม่เคย", "never"),
    "revoke": ("ยกเลิกอุปกรณ์", "Revoke"),
    "revoked": ("ยกเลิกแล้ว", "Revoked"),
    "test_print": ("พิมพ์หน้าทดสอบ", "Print test page"),
    "printer_status": ("สถานะเครื่องพิมพ์", "Printer status"),
    "browser_printing": (
        "พิมพ์ผ่านเบราว์เซอร์: ตรวจสถานะเครื่องพิมพ์ไม่ได้ ทุกใบถือว่ายังไม่ยืนยันว่าพิมพ์ออก",
        "Browser printing: no printer status checks; every slip is unconfirmed",
    ),
    "save_printer": ("บันทึกเครื่องพิมพ์", "Save printer"),
    # voice
    "clip": ("คลิปเสียง", "Clip"),
    "clip_text": ("คำที่พูด", "Words"),
    "source": ("ที่มา", "Source"),
    "quality": ("คุณภาพ", "Quality"),
    "duration": ("ความยาว", "Length"),
    "upload": ("อัปโหลด", "Upload"),
    "play": ("ฟัง", "Play"),
    "use_default": ("กลับไปใช้เสียงเดิม", "Use default"),
    "sample": ("ฟังตัวอย่างประโยคเรียกคิว", "Play a sample call"),
    "sample_number": ("หมายเลขคิว", "Ticket number"),
    "sample_counter": ("ช่องบริการ", "Counter"),
    "voice_help": (
        "อัปโหลดไฟล์ WAV (โมโนหรือสเตอริโอ PCM ไม่เกิน 5 วินาที และไม่เกิน 1 MB) "
        "เพื่อแทนเสียงสังเคราะห์ที่ออกเสียงไม่ชัด",
        "Upload a WAV (mono or stereo PCM, at most 5 s and 1 MB) to replace a poor clip.",
    ),
    # config
    "export": ("ส่งออกการตั้งค่า", "Export configuration"),
    "export_help": (
        "บริการ ช่องบริการ เวลาทำการ วันหยุด และข้อความ (ไม่รวมบัญชีผู้ใช้และอุปกรณ์)",
        "Services, counters, hours, holidays and messages (not accounts or devices)",
    ),
    "import": ("นำเข้าการตั้งค่า", "Import configuration"),
    "import_help": (
        "นำเข้าไฟล์ที่ส่งออกจากสำนักงานอื่น: เพิ่มหรือปรับบริการตามรหัส ช่องบริการตามหมายเลข "
        "และวันหยุดตามวันที่ โดยไม่ลบรายการเดิม ชื่อสำนักงานไม่เปลี่ยน",
        "Adds or updates services by code, counters by number and holidays by date; "
        "nothing is deleted and the office names stay.",
    ),
    "target_office": ("รหัสสำนักงานปลายทาง", "Target office code"),
    "file": ("ไฟล์", "File"),
    "check": ("ตรวจสอบก่อน", "Check first"),
    "apply": ("นำเข้า", "Import"),
    # province
    "show": ("แสดง", "Show"),
    "share_with": ("ให้สิทธิ์ดูข้อมูลสำนักงานนี้แก่", "Let this user compare this office"),
    "share_help": (
        "ผู้ใช้ที่ได้รับสิทธิ์ (เช่น เจ้าหน้าที่ที่ทำการปกครองจังหวัด) จะเห็นตัวชี้วัดหลักของสำนักงานนี้ "
        "ในหน้าเปรียบเทียบสำนักงาน แต่ไม่เห็นหรือแก้ไขคิวได้ กรุณาพิมพ์ชื่อผู้ใช้ให้ถูกต้อง "
        "ระบบไม่แจ้งว่าชื่อผู้ใช้ของสำนักงานอื่นมีอยู่หรือไม่ และสิทธิ์มีผลเฉพาะบัญชีที่มีอยู่แล้วขณะให้สิทธิ์",
        "The user (e.g. at the provincial office) sees this office's key metrics on the "
        "comparison page, never its tickets. Type the user name exactly: the server does not say "
        "whether another office's account exists, and a share takes effect only for an account "
        "that exists when it is granted.",
    ),
    "granted_at": ("ให้สิทธิ์เมื่อ", "Granted"),
    "remove": ("ถอนสิทธิ์", "Remove"),
    "open_comparison": ("เปิดหน้าเปรียบเทียบ", "Open the comparison"),
    # evidence (GECC): citizen manuals, targets, questionnaires
    "manuals": ("คู่มือสำหรับประชาชน", "Citizen manuals"),
    "manuals_help": (
        "ขั้นตอน เอกสารที่ต้องใช้ ค่าธรรมเนียม และกฎหมายที่เกี่ยวข้องของแต่ละงานบริการ แสดงที่ตู้กดบัตรคิว (ปุ่ม ⓘ) "
        "หน้าติดตามคิว ป้ายมาตรฐานการให้บริการ และรายงานผลการให้บริการ",
        "Steps, documents, fee and legal basis of each service, shown on the kiosk (ⓘ), the status "
        "page, the service standards board and the evidence pack",
    ),
    "standards_board": ("ป้ายมาตรฐานการให้บริการ (A4)", "Service standards board (A4)"),
    "processing_time": ("ระยะเวลาดำเนินการ", "Processing time"),
    "processing_time_help": (
        "ตามเวลามาตรฐานของงานบริการที่มีผลวันนี้ แก้ไขได้ที่หน้าบริการ (มีวันที่มีผล)",
        "The service's standard time in force today; edit it on the services page (with its "
        "effective date)",
    ),
    "minutes_short": ("นาที", "min"),
    "steps": ("ขั้นตอนการให้บริการ", "Steps"),
    "documents": ("เอกสารที่ต้องใช้", "Documents required"),
    "pairs_help": (
        "บรรทัดละหนึ่งรายการ: ภาษาไทย | ภาษาอังกฤษ",
        "One per line: Thai | English",
    ),
    "fee_baht": ("ค่าธรรมเนียม (บาท)", "Fee (baht)"),
    "fee_note_th": ("หมายเหตุค่าธรรมเนียม (ไทย)", "Fee note (Thai)"),
    "fee_note_en": ("หมายเหตุค่าธรรมเนียม (อังกฤษ)", "Fee note (English)"),
    "legal_basis_th": ("กฎหมายที่เกี่ยวข้อง (ไทย)", "Legal basis (Thai)"),
    "legal_basis_en": ("กฎหมายที่เกี่ยวข้อง (อังกฤษ)", "Legal basis (English)"),
    "source_url": ("ลิงก์ที่มา", "Source link"),
    "manual_edited": ("แก้ไขโดยสำนักงาน", "edited by the office"),
    "manual_bundled": ("ตามรายการมาตรฐาน", "as bundled"),
    "free": ("ไม่เสียค่าธรรมเนียม", "free"),
    "count_items": ("{n} รายการ", "{n} items"),
    "evidence": ("เป้าหมายหลักฐาน GECC", "GECC evidence targets"),
    "evidence_help": (
        "รายงานผลการให้บริการประจำปีงบประมาณเทียบทุกตัวชี้วัดกับปีก่อนและกับค่าเป้าหมายเหล่านี้",
        "The fiscal-year evidence pack sets every figure beside last year's and these targets",
    ),
    "satisfaction_target_pct": ("เป้าหมายความพึงพอใจ (ร้อยละ)", "Satisfaction target (%)"),
    "satisfaction_target_help": ("ค่าเริ่มต้นร้อยละ 85", "Default 85 %"),
    "within_standard_target_pct": (
        "เป้าหมายร้อยละให้บริการภายในเวลามาตรฐาน",
        "Within-standard target (%)",
    ),
    "complaint_deadlines": ("กำหนดเวลาจัดการข้อร้องเรียน", "Complaint deadlines"),
    "complaint_deadlines_help": (
        "ตอบรับและแจ้งผลภายในกี่วันทำการ แก้ไขได้ที่ทะเบียนข้อร้องเรียน (หัวหน้าสำนักงาน)",
        "Business days to acknowledge and to resolve; edited on the complaint register",
    ),
    "open_register": ("เปิดทะเบียนข้อร้องเรียน", "Open the complaint register"),
    "open_evidence_pack": ("เปิดรายงานผลการให้บริการ (ชุดหลักฐาน)", "Open the evidence pack"),
    "questionnaires": ("แบบประเมินและแบบสำรวจ", "Questionnaires"),
    "questionnaires_help": (
        "การบันทึกแต่ละครั้งสร้างฉบับใหม่ คำตอบเดิมยังผูกกับฉบับที่ตอบ",
        "Each save makes a new version; earlier answers stay tied to the version they answered",
    ),
    "form_version": ("ฉบับที่ใช้อยู่", "Version in use"),
    "satisfaction_form": ("แบบประเมินความพึงพอใจ", "Satisfaction form"),
    "satisfaction_form_help": (
        "ข้อคำถามแบบ 5 ระดับ จัดกลุ่มตามมิติของ GECC ข้อที่นำออกจะเลิกใช้แต่คำตอบเดิมยังอยู่ในรายงาน",
        "5-level items grouped by GECC dimension; an item taken out is retired, its answers stay",
    ),
    "item_code": ("รหัสข้อ", "Item code"),
    "item_th": ("ข้อคำถาม (ไทย)", "Item (Thai)"),
    "item_en": ("ข้อคำถาม (อังกฤษ)", "Item (English)"),
    "dimension": ("มิติ", "Dimension"),
    "add_item": ("เพิ่มข้อคำถาม", "Add an item"),
    "move_up": ("ขึ้น", "Up"),
    "needs_survey": ("แบบสำรวจความต้องการ", "Needs survey"),
    "needs_survey_help": (
        "ตัวเลือกบรรทัดละหนึ่งรายการ: รหัส | ภาษาไทย | ภาษาอังกฤษ ผู้ตอบเลือกได้หลายข้อและเขียนเพิ่มเติมได้",
        "Choices one per line: code | Thai | English; several may be ticked, free text beside",
    ),
    "needs_every": ("เสนอแบบสำรวจให้ผู้ตอบแบบประเมินทุก ๆ กี่คน", "Offer it to every Nth respondent"),
    "needs_every_help": (
        "0 = ไม่เสนอต่อท้ายแบบประเมิน ใช้ลิงก์หรือโปสเตอร์ของแบบสำรวจเท่านั้น",
        "0 = never after the satisfaction form; only its own link or poster",
    ),
    "needs_link": ("ลิงก์แบบสำรวจสำหรับโปสเตอร์", "Survey link for a poster"),
    "question_code": ("รหัสคำถาม", "Question code"),
    "question_th": ("คำถาม (ไทย)", "Question (Thai)"),
    "question_en": ("คำถาม (อังกฤษ)", "Question (English)"),
    "choices": ("ตัวเลือก", "Choices"),
    "add_question": ("เพิ่มคำถาม", "Add a question"),
    "remove_row": ("นำออก", "Remove"),
    # audit
    "when": ("เวลา", "When"),
    "who": ("ผู้ทำรายการ", "Who"),
    "what": ("รายการ", "What"),
    "target": ("สิ่งที่เปลี่ยน", "Target"),
    "changes": ("ก่อน → หลัง", "Before → after"),
    "older": ("รายการก่อนหน้า", "Older entries"),
    # overview
    "setup": ("ขั้นตอนตั้งค่าสำนักงาน", "Setting up the office"),
    "forbidden_page": (
        "หน้านี้สำหรับผู้ดูแลระบบเท่านั้น",
        "This page is for administrators only",
    ),
    "to_login": ("เข้าสู่ระบบด้วยบัญชีอื่น", "Log in with another account"),
}

ROLE_LABELS = {"admin": "role_admin", "manager": "role_manager", "staff": "role_staff"}

# What each audit action means, for the audit page.
ACTIONS: dict[str, Bilingual] = {
    "office.update": ("แก้ไขข้อมูลสำนักงาน", "office updated"),
    "holiday.add": ("เพิ่มวันหยุด", "holiday added"),
    "holiday.remove": ("ลบวันหยุด", "holiday removed"),
    "holiday.replace_year": ("แทนที่วันหยุดทั้งปี", "holidays of a year replaced"),
    "service.create": ("เพิ่มบริการ", "service created"),
    "service.update": ("แก้ไขบริการ", "service updated"),
    "service.manual": ("แก้ไขคู่มือสำหรับประชาชน", "citizen manual updated"),
    "office.targets": ("แก้ไขค่าเป้าหมายหลักฐาน GECC", "evidence targets updated"),
    "service.import_catalogue": ("นำเข้ารายการบริการมาตรฐาน", "catalogue imported"),
    "counter.create": ("เพิ่มช่องบริการ", "counter created"),
    "counter.update": ("แก้ไขช่องบริการ", "counter updated"),
    "staff.create": ("เพิ่มเจ้าหน้าที่", "staff created"),
    "staff.update": ("แก้ไขเจ้าหน้าที่", "staff updated"),
    "staff.reset_password": ("ตั้งรหัสผ่านใหม่", "password reset"),
    "device.pair": ("จับคู่อุปกรณ์", "device paired"),
    "device.update": ("แก้ไขอุปกรณ์", "device updated"),
    "device.revoke": ("ยกเลิกอุปกรณ์", "device revoked"),
    "device.test_print": ("พิมพ์หน้าทดสอบ", "test page printed"),
    "province.grant": ("ให้สิทธิ์เปรียบเทียบ", "province access granted"),
    "province.revoke": ("ถอนสิทธิ์เปรียบเทียบ", "province access removed"),
    "config.import": ("นำเข้าการตั้งค่า", "configuration imported"),
    "voice.upload": ("อัปโหลดเสียงประกาศ", "voice clip uploaded"),
    "voice.remove": ("ลบเสียงที่อัปโหลด", "voice clip removed"),
}

# Field names in messages.
FIELDS: dict[str, Bilingual] = {
    "name_th": ("ชื่อภาษาไทย", "name_th"),
    "name_en": ("ชื่อภาษาอังกฤษ", "name_en"),
    "footer_th": ("ข้อความท้ายบัตรคิว (ไทย)", "footer_th"),
    "footer_en": ("ข้อความท้ายบัตรคิว (อังกฤษ)", "footer_en"),
    "display_message": ("ข้อความบนจอแสดงผล", "display_message"),
    "opens": ("เวลาเปิด", "opens"),
    "closes": ("เวลาปิด", "closes"),
    "issue_cutoff": ("เวลาหยุดออกบัตรคิว", "issue_cutoff"),
    "voice_repeat": ("จำนวนครั้งที่ประกาศ", "voice_repeat"),
    "voice_polite": ("คำลงท้าย", "voice_polite"),
    "group": ("กลุ่มงาน", "group"),
    "standard_minutes": ("เวลามาตรฐาน", "standard_minutes"),
    "wait_target_minutes": ("เป้าหมายเวลารอ", "wait_target_minutes"),
    "daily_cap": ("จำนวนบัตรคิวสูงสุดต่อวัน", "daily_cap"),
    "position": ("ลำดับ", "position"),
    "number": ("หมายเลขช่องบริการ", "number"),
    "name": ("ชื่อ", "name"),
    "mode": ("วิธีเลือกคิว", "mode"),
    "priority_share": ("สัดส่วนคิวพิเศษ", "priority_share"),
    "normal_share": ("สัดส่วนคิวปกติ", "normal_share"),
    "ageing_cap_minutes": ("เวลารอนานสุด", "ageing_cap_minutes"),
    "booked_in_row": ("บัตรคิวตามนัดติดต่อกัน", "booked_in_row"),
    "weight": ("น้ำหนัก", "weight"),
    "display_name": ("ชื่อที่แสดง", "display_name"),
    "holiday_name": ("ชื่อวันหยุด", "holiday name"),
    "satisfaction_target_pct": ("เป้าหมายความพึงพอใจ (ร้อยละ)", "satisfaction target %"),
    "within_standard_target_pct": (
        "เป้าหมายร้อยละให้บริการภายในเวลามาตรฐาน",
        "within-standard target %",
    ),
}


def message(key: str, **values: Any) -> Bilingual:
    """A message with its placeholders filled; field names are looked up in FIELDS."""
    field = values.pop("field", None)
    if field is not None:
        values["field_th"], values["field_en"] = FIELDS.get(field, (field, field))
    return fill(MESSAGES[key], **values)


def label(key: str) -> Bilingual:
    return LABELS[key]


def both(pair: Bilingual) -> str:
    """Thai and English on one line (a value in the audit log, a printer's detail)."""
    return " / ".join(pair)


# Audit snapshot keys (admin/audit.py) whose form label is under another key, by the kind of
# change (the action's first word): the audit log names a field as its form does.
AUDIT_LABEL_KEYS: dict[str, dict[str, str]] = {
    "service": {"code": "service_code"},
    "counter": {
        "name": "counter_name",
        "ageing_cap_minutes": "ageing_cap",
        "services": "served_services",
        "service": "service_code",
    },
    "device": {"name": "device_name", "revoked_at": "revoked"},
    "holiday": {"day": "holiday_day", "name": "holiday_name"},
}


def field_label(action: str, key: str) -> Bilingual:
    """The form's label of a field named in an audit entry (`action` like "service.update")."""
    kind = action.partition(".")[0]
    name = AUDIT_LABEL_KEYS.get(kind, {}).get(key, key)
    return LABELS.get(name) or FIELDS.get(key) or (key, key)

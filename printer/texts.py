"""User-facing text printed on tickets and test pages: Thai first, English second."""

YOUR_NUMBER = "หมายเลขคิวของท่าน / Your number"
SCAN_FOR_STATUS = "สแกนเพื่อดูสถานะคิว / Scan for queue status"
TEST_PAGE_TITLE = "ทดสอบเครื่องพิมพ์ / Printer test"
# A classic Thai practice sentence: it stacks upper vowels with tone marks and uses lower vowels,
# so a printer or layout that mishandles marks shows it at once.
THAI_SAMPLE = "ผู้ใหญ่หาผ้าใหม่ ให้สะใภ้ใช้คล้องคอ ญี่ปุ่น ฤๅษี กตัญญู น้ำใจ"
LATIN_SAMPLE = "ABCDEFGHIJKLM abcdefghijklm 0123456789"

# What the print agent says on its console while it pairs (printer.agent.pair).
PAIRING_CODE = (
    "รหัสจับคู่ / pairing code: {code}\n"
    "ยืนยันรหัสนี้ใน ผู้ดูแลระบบ → อุปกรณ์ (ตู้กดบัตรคิว, เครื่องพิมพ์ agent://) / "
    "confirm it in Admin → Devices (kiosk, printer agent://)"
)
PAIRED_AS = "จับคู่แล้ว / paired as {name}"


def width_caption(width_px: int) -> str:
    return f"ความกว้าง {width_px} จุด / width {width_px} px"

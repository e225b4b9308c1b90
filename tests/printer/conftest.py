"""Shared test data for the printer package: one realistic Thai ticket."""

import pytest

# Imported before any test module imports python-escpos: it points python-escpos at one stable
# capabilities-pickle directory instead of a new temporary directory per run.
import printer.escpos_io  # noqa: F401
from printer.slip import Slip


@pytest.fixture
def slip() -> Slip:
    return Slip(
        office_name_th="ที่ทำการปกครองอำเภอเมืองเชียงใหม่",
        office_name_en="Mueang Chiang Mai District Office",
        service_name_th="ขอมีบัตรประจำตัวประชาชน กรณีบัตรหมดอายุหรือชำรุด",
        service_name_en="ID card renewal (expired or damaged)",
        number="B015",
        wait_th="รอ 12 คิว (ประมาณ 20–35 นาที)",
        wait_en="12 ahead (about 20–35 min)",
        issued_text="27 พ.ย. 2569 10.35 น.",
        status_url="https://q.example.go.th/s/4F7K2Q9X",
        priority_label="ผู้สูงอายุ / Elderly",
        footer_th="กรุณารอเรียกหมายเลขที่หน้าจอ",
        footer_en="Please wait for your number on the screen",
    )

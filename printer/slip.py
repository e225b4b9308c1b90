"""The plain record of one queue ticket as it is printed; the printer knows nothing else."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Slip:
    office_name_th: str
    office_name_en: str
    service_name_th: str
    service_name_en: str
    number: str
    # The wait as worded by the caller ("รอ 3 คิว (ประมาณ 10–20 นาที)"); empty prints nothing.
    wait_th: str
    wait_en: str
    # Formatted by the caller (Buddhist Era, Asia/Bangkok), so the printer needs no clock or locale.
    issued_text: str
    status_url: str
    priority_label: str | None
    footer_th: str
    footer_en: str
    # A booked ticket: its slot as worded by the caller ("ตามนัด 10.00 น. / Booked 10.00").
    booked_label: str | None = None

"""The complaint register (ข้อร้องเรียน/ร้องทุกข์): intake, workflow with SLA, figures."""

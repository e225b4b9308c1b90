"""What an admin reads: the audit log names fields as the forms do, generated passwords have no
look-alike characters, and a screen that has collected its token has been seen."""

from __future__ import annotations

import re

import httpx
import pytest

from admin import audit
from admin.text import LABELS, field_label
from counter.auth import PASSWORD_ALPHABET, new_password
from tests.admin.conftest import bearer
from tests.admin.test_pairing import confirm, poll, start
from tests.conftest import sign_in

AMBIGUOUS = set("l1IO0o")

# Every field an audit snapshot names, with the action that writes it.
SNAPSHOT_FIELDS = [
    *(("office.update", key) for key in (*audit.OFFICE_FIELDS, *audit.SETTINGS_FIELDS)),
    *(("service.update", key) for key in audit.SERVICE_FIELDS),
    *(("counter.update", key) for key in (*audit.COUNTER_FIELDS, "services")),
    *(("staff.update", key) for key in audit.STAFF_FIELDS),
    *(("device.update", key) for key in audit.DEVICE_FIELDS),
    *(("holiday.add", key) for key in ("day", "name")),
]


class TestAuditFieldNames:
    @pytest.mark.parametrize(("action", "key"), SNAPSHOT_FIELDS)
    def test_every_field_of_the_audit_log_has_a_label_of_the_admin_forms(
        self, action: str, key: str
    ) -> None:
        label = field_label(action, key)
        assert label in LABELS.values(), (action, key, label)
        assert re.search(r"[\u0e00-\u0e7f]", label[0]), label

    def test_a_name_is_the_label_of_its_own_form(self) -> None:
        assert field_label("counter.update", "name") == LABELS["counter_name"]
        assert field_label("device.update", "name") == LABELS["device_name"]
        assert field_label("holiday.add", "name") == LABELS["holiday_name"]

    async def test_the_audit_page_shows_the_forms_thai_label_not_the_field_name(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        services = (await client.get("/api/v1/admin/services", headers=admin)).json()
        birth = next(s for s in services if s["code"] == "birth")
        r = await client.patch(
            f"/api/v1/admin/services/{birth['id']}",
            json={"standard_minutes": birth["standard_minutes"] + 5},
            headers=admin,
        )
        assert r.status_code == 200, r.text
        await sign_in(client, "admin")
        page = await client.get("/admin/audit")
        form = await client.get("/admin/services")
        label = LABELS["standard_minutes"][0]
        assert f'data-field="standard_minutes">{label}</strong>' in page.text
        assert ">standard_minutes<" not in page.text
        # The same words the services form puts on its field.
        assert label in form.text


class TestGeneratedPasswords:
    def test_they_hold_no_look_alike_characters(self) -> None:
        assert not AMBIGUOUS & set(PASSWORD_ALPHABET)
        seen = "".join(new_password() for _ in range(300))
        assert not AMBIGUOUS & set(seen)
        assert set(seen) - {"-"} == set(PASSWORD_ALPHABET)

    def test_they_come_in_groups_of_four_with_enough_randomness(self) -> None:
        password = new_password()
        assert re.fullmatch(r"[^-]{4}-[^-]{4}-[^-]{4}", password)
        # 12 characters from the alphabet: well over 64 bits.
        assert len(PASSWORD_ALPHABET) ** 12 > 2**64
        assert len({new_password() for _ in range(100)}) == 100

    async def test_a_reset_password_uses_them(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        staff = (await client.get("/api/v1/admin/staff", headers=admin)).json()
        staff2 = next(s for s in staff if s["username"] == "staff2")
        r = await client.post(f"/api/v1/admin/staff/{staff2['id']}/reset-password", headers=admin)
        assert r.status_code == 200, r.text
        password = r.json()["password"]
        assert re.fullmatch(
            f"[{PASSWORD_ALPHABET}]{{4}}(-[{PASSWORD_ALPHABET}]{{4}}){{2}}", password
        )
        login = await client.post(
            "/api/v1/auth/login", json={"username": "staff2", "password": password}
        )
        assert login.status_code == 200


class TestLastSeen:
    async def test_a_screen_that_collected_its_token_has_been_seen(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        started = await start(client)
        r = await confirm(client, admin, started["code"])
        assert r.status_code == 201, r.text
        device_id = r.json()["id"]
        devices = (await client.get("/api/v1/admin/devices", headers=admin)).json()
        assert next(d for d in devices if d["id"] == device_id)["last_seen_at"] is None

        paired = (await poll(client, started)).json()
        assert paired["status"] == "paired"
        devices = (await client.get("/api/v1/admin/devices", headers=admin)).json()
        assert next(d for d in devices if d["id"] == device_id)["last_seen_at"] is not None
        assert bearer(paired["token"])

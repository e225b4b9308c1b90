"""Rolling one office's set-up out to another: export as JSON or YAML, import by office code."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import yaml

from counter.seed import catalogue
from tests.admin.conftest import North, assert_thai_error, audit
from tests.conftest import login


async def export(client: httpx.AsyncClient, headers: dict[str, str], fmt: str = "json") -> str:
    r = await client.get("/api/v1/admin/config/export", params={"format": fmt}, headers=headers)
    assert r.status_code == 200, r.text
    assert "attachment" in r.headers["content-disposition"]
    return r.text


async def import_(
    client: httpx.AsyncClient, headers: dict[str, str], text: str, **fields: Any
) -> httpx.Response:
    body = {"office": "north", "format": "json", "text": text, **fields}
    return await client.post("/api/v1/admin/config/import", json=body, headers=headers)


@pytest.fixture
async def north_admin(client: httpx.AsyncClient, north: North) -> dict[str, str]:
    return await login(client, "north_admin", north.passwords["north_admin"])


class TestExport:
    async def test_the_file_holds_services_counters_hours_holidays_and_messages(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        await client.post(
            "/api/v1/admin/holidays", json={"day": "2026-12-05", "name": "วันพ่อ"}, headers=admin
        )
        document = json.loads(await export(client, admin))
        assert document["format"] == "saduak-office-config" and document["version"] == 1
        assert document["office"]["code"] == "demo" and document["office"]["opens"] == "08:30"
        assert len(document["services"]) == len(catalogue())
        assert [c["number"] for c in document["counters"]] == [1, 2, 3, 4]
        assert document["counters"][0]["services"][0]["service"]
        assert document["holidays"] == [{"day": "2026-12-05", "name": "วันพ่อ"}]
        assert "password" not in json.dumps(document) and "token" not in json.dumps(document)

    async def test_yaml_says_the_same_in_thai_letters(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        text = await export(client, admin, "yaml")
        assert "รับแจ้งการเกิด" in text
        as_json = json.loads(await export(client, admin))
        from_yaml = yaml.safe_load(text)
        as_json.pop("exported_at")
        from_yaml.pop("exported_at")
        assert from_yaml == as_json

    async def test_an_unknown_format_is_refused_in_thai(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        r = await client.get("/api/v1/admin/config/export?format=xml", headers=admin)
        assert_thai_error(r, 422, "JSON หรือ YAML")


class TestImport:
    @pytest.mark.parametrize("fmt", ["json", "yaml"])
    async def test_another_office_gets_the_same_set_up_and_keeps_its_names(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        north_admin: dict[str, str],
        fmt: str,
    ) -> None:
        await client.post(
            "/api/v1/admin/holidays", json={"day": "2026-12-05", "name": "วันพ่อ"}, headers=admin
        )
        text = await export(client, admin, fmt)
        r = await import_(client, north_admin, text, format=fmt)
        assert r.status_code == 200, r.text
        summary = r.json()["summary"]
        assert len(summary["services"]["created"]) == len(catalogue())
        assert summary["counters"]["updated"] == [1] and summary["counters"]["created"] == [2, 3, 4]
        assert summary["holidays"]["created"] == ["2026-12-05"]

        theirs = json.loads(await export(client, north_admin))
        ours = json.loads(await export(client, admin))
        assert theirs["office"]["code"] == "north"
        assert theirs["office"]["name_th"] == "ที่ทำการปกครองอำเภอเหนือ"
        assert theirs["counters"] == ours["counters"]
        assert theirs["holidays"] == ours["holidays"]
        assert {s["code"] for s in theirs["services"]} == {s["code"] for s in ours["services"]} | {
            "north_secret"
        }
        # North's own service stays as it was.
        assert any(s["code"] == "north_secret" and s["active"] for s in theirs["services"])

        entries = await audit(client, north_admin, action="config.")
        assert len(entries) == 1 and entries[0]["target"] == "office:north"
        assert entries[0]["before"]["counters"][0]["services"] == [
            {"service": "north_secret", "position": 0, "weight": 1}
        ]

    async def test_a_dry_run_reports_and_changes_nothing(
        self, client: httpx.AsyncClient, admin: dict[str, str], north_admin: dict[str, str]
    ) -> None:
        before = json.loads(await export(client, north_admin))
        r = await import_(client, north_admin, await export(client, admin), dry_run=True)
        assert r.status_code == 200 and r.json()["dry_run"] is True
        assert len(r.json()["summary"]["services"]["created"]) == len(catalogue())
        after = json.loads(await export(client, north_admin))
        before.pop("exported_at")
        after.pop("exported_at")
        assert after == before
        assert await audit(client, north_admin) == []

    async def test_importing_twice_changes_nothing_the_second_time(
        self, client: httpx.AsyncClient, admin: dict[str, str], north_admin: dict[str, str]
    ) -> None:
        text = await export(client, admin)
        await import_(client, north_admin, text)
        r = await import_(client, north_admin, text)
        summary = r.json()["summary"]
        assert summary["services"] == {"created": [], "updated": []}
        assert summary["counters"] == {"created": [], "updated": []}
        assert len(await audit(client, north_admin, action="config.")) == 1

    @pytest.mark.parametrize(
        ("mutate", "fragment"),
        [
            (lambda d: d["services"][0].update(prefix="1"), "services[0]"),
            (lambda d: d["counters"][0].update(priority_share=0, normal_share=0), "counters[0]"),
            (lambda d: d["counters"][1]["services"].append({"service": "ghost"}), "ghost"),
            (lambda d: d["office"].update(closes="07:00"), "เวลาเปิดต้องก่อนเวลาปิด"),
            (lambda d: d["holidays"].append({"day": "2026-02-30"}), "holidays[0]"),
            (lambda d: d.update(version=2), "ข้อมูลไม่ถูกต้อง"),
            (lambda d: d["services"][0].update(colour="red"), "colour"),
        ],
    )
    async def test_a_bad_file_is_refused_whole_in_thai_naming_the_place(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        north_admin: dict[str, str],
        mutate: Any,
        fragment: str,
    ) -> None:
        document = json.loads(await export(client, admin))
        mutate(document)
        before = await export(client, north_admin)
        r = await import_(client, north_admin, json.dumps(document, ensure_ascii=False))
        assert_thai_error(r, 422, fragment)
        assert (
            json.loads(await export(client, north_admin))["services"]
            == json.loads(before)["services"]
        )

    @pytest.mark.parametrize(
        ("text", "fmt", "fragment"),
        [
            ("{not json", "json", "อ่านไฟล์การตั้งค่าไม่ได้"),
            ("services: [unclosed", "yaml", "อ่านไฟล์การตั้งค่าไม่ได้"),
            ('{"hello": "world"}', "json", "ไม่ใช่ไฟล์การตั้งค่า"),
            ("{}", "toml", "JSON หรือ YAML"),
        ],
    )
    async def test_unreadable_files_are_refused_in_thai(
        self,
        client: httpx.AsyncClient,
        north_admin: dict[str, str],
        text: str,
        fmt: str,
        fragment: str,
    ) -> None:
        r = await import_(client, north_admin, text, format=fmt)
        assert_thai_error(r, 422, fragment)

    async def test_the_target_office_must_exist_and_be_ones_own(
        self, client: httpx.AsyncClient, admin: dict[str, str], north_admin: dict[str, str]
    ) -> None:
        text = await export(client, admin)
        assert_thai_error(await import_(client, north_admin, text, office="south"), 404, "south")
        assert_thai_error(await import_(client, north_admin, text, office="demo"), 403, "north")

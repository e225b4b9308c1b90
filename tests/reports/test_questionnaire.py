"""Questionnaires: versioned satisfaction items grouped by GECC dimension, the needs survey to
every Nth respondent or on its own link, and their results against a hand count."""

from __future__ import annotations

from statistics import mean, stdev

import httpx
import pytest

from tests.conftest import DEMO_PASSWORDS, FakeClock, login

pytestmark = pytest.mark.usefixtures("demo")

DAY = "2026-11-27"
PERIOD = f"period=custom&from={DAY}&to={DAY}"


async def finished_ticket(client: httpx.AsyncClient, staff: dict[str, str]) -> str:
    """A ticket served to the end; its status token."""
    t = (await client.post("/api/v1/tickets", json={"service": "birth"}, headers=staff)).json()
    await client.post("/api/v1/counters/1/open", headers=staff)
    called = (await client.post("/api/v1/counters/1/call-next", headers=staff)).json()
    assert called["id"] == t["id"]
    await client.post(f"/api/v1/tickets/{t['id']}/start", headers=staff)
    await client.post(f"/api/v1/tickets/{t['id']}/finish", headers=staff)
    return str(t["status_url"]).rstrip("/").rsplit("/", 1)[-1]


async def test_old_answers_keep_the_dimensions_of_the_version_they_answered(
    app_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    staff = await login(app_client, "staff1", DEMO_PASSWORDS["staff1"])
    manager = await login(app_client, "manager", DEMO_PASSWORDS["manager"])
    old = {"speed": 2, "courtesy": 4, "clarity": 3, "facilities": 5, "overall": 4}
    token = await finished_ticket(app_client, staff)
    r = await app_client.post(f"/api/v1/survey/{token}", json={"answers": old})
    assert r.status_code == 201
    # One item per dimension (the default form): each dimension's respondents are its answers.
    got = (await app_client.get(f"/api/v1/reports/survey?{PERIOD}", headers=manager)).json()
    assert {d["dimension"]: d["respondents"] for d in got["satisfaction"]["dimensions"]} == {
        "process": 1,
        "staff": 1,
        "information": 1,
        "facilities": 1,
        "overall": 1,
    }
    # The office moves "speed" from the process dimension to staff and adds a new item.
    items = (await app_client.get("/api/v1/survey-items", headers=manager)).json()["items"]
    edited = [
        {
            **{k: v for k, v in i.items() if k != "position"},
            "dimension": "staff" if i["code"] == "speed" else i["dimension"],
        }
        for i in items
    ]
    edited.insert(
        1,
        {
            "code": "queue_system",
            "label_th": "ระบบบัตรคิว",
            "label_en": "Queue system",
            "dimension": "process",
        },
    )
    r = await app_client.put("/api/v1/survey-items", json={"items": edited}, headers=manager)
    assert r.status_code == 200, r.text
    new = {
        "speed": 5,
        "queue_system": 3,
        "courtesy": 5,
        "clarity": 4,
        "facilities": 3,
        "overall": 5,
    }
    clock.advance(minutes=5)
    token2 = await finished_ticket(app_client, staff)
    assert (
        await app_client.post(f"/api/v1/survey/{token2}", json={"answers": new})
    ).status_code == 201

    got = (await app_client.get(f"/api/v1/reports/survey?{PERIOD}", headers=manager)).json()
    sat = got["satisfaction"]
    assert sat["respondents"] == 2
    assert sat["versions"] == [{"version": 0, "respondents": 1}, {"version": 1, "respondents": 1}]
    dims = {d["dimension"]: d for d in sat["dimensions"]}
    # process: the old speed answer (v0) and the new queue_system item (v1).
    expected = {
        "process": [old["speed"], new["queue_system"]],
        "staff": [old["courtesy"], new["speed"], new["courtesy"]],
        "information": [old["clarity"], new["clarity"]],
        "facilities": [old["facilities"], new["facilities"]],
        "overall": [old["overall"], new["overall"]],
    }
    for dim, scores in expected.items():
        assert dims[dim]["answers"] == len(scores), dim
        assert dims[dim]["mean"] == pytest.approx(mean(scores)), dim
        assert dims[dim]["sd"] == pytest.approx(stdev(scores)), dim
        assert dims[dim]["percent"] == pytest.approx(mean(scores) / 5 * 100), dim
    assert dims["staff"]["respondents"] == 2 and dims["process"]["respondents"] == 2
    speed = next(i for i in sat["items"] if i["code"] == "speed")
    assert speed["answers"] == 2 and speed["mean"] == pytest.approx(3.5)


async def test_every_nth_respondent_is_offered_the_needs_survey(
    app_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    staff = await login(app_client, "staff1", DEMO_PASSWORDS["staff1"])
    manager = await login(app_client, "manager", DEMO_PASSWORDS["manager"])
    current = (await app_client.get("/api/v1/survey-needs", headers=manager)).json()
    assert current["version"] == 0 and current["every"] == 5
    body = {"questions": current["questions"], "every": 2}
    assert (
        await app_client.put("/api/v1/survey-needs", json=body, headers=manager)
    ).status_code == 200
    answers = {"speed": 4, "courtesy": 4, "clarity": 4, "facilities": 4, "overall": 4}
    offered = []
    tokens = []
    for _ in range(4):
        token = await finished_ticket(app_client, staff)
        tokens.append(token)
        r = await app_client.post(f"/api/v1/survey/{token}", json={"answers": answers})
        offered.append("needs_url" in r.json())
        clock.advance(minutes=3)
    assert offered == [False, True, False, True]

    async def needs(**body: object) -> httpx.Response:
        return await app_client.post("/api/v1/needs", json=body)

    r = await needs(
        ticket=tokens[1], answers={"hours": ["lunch", "saturday"]}, free_text="ขอที่จอดรถเพิ่ม"
    )
    assert r.status_code == 201
    again = await needs(ticket=tokens[1], answers={"hours": ["lunch"]})
    assert again.status_code == 409
    assert (
        await needs(ticket=tokens[3], answers={"hours": ["saturday"], "facilities": ["parking"]})
    ).status_code == 201
    assert (await needs(office="demo", answers={"channels": ["line"]})).status_code == 201
    bad = await needs(office="demo", answers={"hours": ["midnight"]})
    assert bad.status_code == 422

    got = (await app_client.get(f"/api/v1/reports/survey?{PERIOD}", headers=manager)).json()
    n = got["needs"]
    assert n["respondents"] == 3
    hours = next(q for q in n["questions"] if q["code"] == "hours")
    counts = {c["code"]: (c["count"], c["percent"]) for c in hours["choices"]}
    assert hours["respondents"] == 2
    assert counts["saturday"] == (2, pytest.approx(100.0)) and counts["lunch"] == (
        1,
        pytest.approx(50.0),
    )
    assert [t["text"] for t in n["free_text"]] == ["ขอที่จอดรถเพิ่ม"]
    admin = await login(app_client, "admin", DEMO_PASSWORDS["admin"])
    as_admin = (await app_client.get(f"/api/v1/reports/survey?{PERIOD}", headers=admin)).json()
    assert "free_text" not in as_admin["needs"]


async def test_the_needs_survey_has_its_own_page(app_client: httpx.AsyncClient) -> None:
    page = await app_client.get("/needs?office=demo")
    assert page.status_code == 200 and 'data-question="hours"' in page.text
    r = await app_client.post(
        "/needs", data={"office": "demo", "hours": ["early", "evening"], "free_text": "เปิดเสาร์"}
    )
    assert r.status_code == 200 and 'id="needs-thanks"' in r.text
    empty = await app_client.post("/needs", data={"office": "demo"})
    assert empty.status_code == 422
    assert (await app_client.get("/needs?office=nowhere")).status_code == 404

"""The GECC sections of the evidence pack beyond speed: complaints, satisfaction by dimension and
the needs survey, the staff summary (aggregated; individual figures stay on /reports/staff),
fairness, the citizen manual table; and the pack as XLSX, one sheet per section.

Each figure comes from the one place that computes it (the complaint register's section, the
questionnaire results, the staff assessment, the fairness evidence, the citizen manuals).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio.to_thread

from counter.db import Database
from counter.manual import read_manuals
from counter.models import OfficeSettings
from reports import periods, xlsx
from reports.sections import add_sections
from reports.text import EVIDENCE_XLSX as X
from reports.text import TARGET_VERDICT, YEAR_OVER_YEAR

if TYPE_CHECKING:
    from reports.service import ReportService

# Which way is better for each year-over-year figure (+1 higher, -1 lower, 0 neither).
_BETTER = {"count": 0, "minutes": -1, "pct": 1, "per_1000": -1}


async def gather(
    state: Any,
    office_id: int,
    manual_day: date,
    *,
    fairness: dict[str, Any],
    questionnaires: dict[str, Any],
    staff: dict[str, Any],
) -> dict[str, Any]:
    """The sections of the pack's year, from the report engine's fairness, questionnaire
    results and staff assessment of that year."""
    people = staff["staff"]
    transactions = sum(p["transactions"] for p in people)
    within = sum(p["within_standard"] for p in people)
    return {
        "questionnaires": questionnaires,
        "fairness": fairness,
        "staff_summary": {
            "staff": len([p for p in people if p["transactions"]]),
            "transactions": transactions,
            "within_standard_pct": None if not transactions else within / transactions * 100,
            "open_s": sum(p["open_s"] for p in people),
            "paused_s": sum(p["paused_s"] for p in people),
        },
        "manuals": [
            m.as_dict() for m in (await read_manuals(state.db, office_id, manual_day)).values()
        ],
    }


async def evidence_pack(
    state: Any, reports: ReportService, office_id: int, year: int
) -> dict[str, Any]:
    """The fiscal year's evidence pack, every section, as the page and the XLSX show it: speed
    (the report engine), the sections of sibling packages (complaints, continuity), and the
    evidence beyond speed with each figure beside the year before and the office's targets
    (`data["gecc"]`). The reports benchmark times exactly this."""
    period, before = periods.fiscal(year), periods.fiscal(year - 1)
    # One read of the engine for every figure of both years (one seal, one office context).
    data = await reports.evidence(office_id, year, gecc=True)
    previous = data.pop("previous")
    previous_fairness = {"fairness": data.pop("previous_fairness")}
    fairness, staff = data.pop("fairness"), data.pop("staff")
    questionnaires = data.pop("questionnaires")
    beside_previous_year(
        questionnaires["satisfaction"]["dimensions"],
        data.pop("previous_questionnaires")["satisfaction"]["dimensions"],
    )
    data = await add_sections(state, data, office_id, period.first, period.last)
    today = await reports.today(office_id)
    g = await gather(
        state,
        office_id,
        min(today, period.last),
        fairness=fairness,
        questionnaires=questionnaires,
        staff=staff,
    )
    await add_sections(state, previous, office_id, before.first, before.last)
    options = await office_options(state.db, office_id)
    targets = {
        "satisfaction": options.satisfaction_target_pct,
        "within_standard": options.within_standard_target_pct,
    }
    g["year_over_year"] = year_over_year(
        figures(data, g), figures(previous, previous_fairness), targets
    )
    data["gecc"] = g
    return data


async def office_options(db: Database, office_id: int) -> OfficeSettings:
    def read() -> OfficeSettings:
        with db.read() as session:
            return session.get(OfficeSettings, office_id) or OfficeSettings(office_id=office_id)

    return await anyio.to_thread.run_sync(read)


def _figures(d: dict[str, Any], g: dict[str, Any]) -> dict[str, Any]:
    o = d["overall"]
    wait = (o.get("wait") or {}).get("mean")
    median = (o.get("wait") or {}).get("median")
    complaints = d.get("complaints") or {}
    return {
        "issued": o.get("issued"),
        "served": o.get("served"),
        "wait": None if wait is None else wait / 60,
        "wait_median": None if median is None else median / 60,
        "within_target": o.get("within_target_pct"),
        "within_standard": o.get("within_standard_pct"),
        "satisfaction": (o.get("satisfaction") or {}).get("percent"),
        "complaints_per_1000": complaints.get("per_1000_served"),
        "complaints_in_time": complaints.get("resolved_within_pct"),
        "in_order": g["fairness"]["overall"]["in_order_pct"],
    }


def _arrow(now: float | None, before: float | None, unit: str) -> str:
    """▲ better, ▼ worse, ■ same (to one decimal); counts say only ↑ or ↓; – when either
    year has no figure."""
    if now is None or before is None:
        return "–"
    if round(now, 1) == round(before, 1):
        return "■"
    better = _BETTER[unit]
    if better == 0:
        return "↑" if now > before else "↓"
    return "▲" if (now - before) * better > 0 else "▼"


def beside_previous_year(dimensions: list[dict[str, Any]], previous: list[dict[str, Any]]) -> None:
    """Each satisfaction dimension gets last fiscal year's percent and its direction."""
    before = {x["dimension"]: x.get("percent") for x in previous}
    for x in dimensions:
        x["previous_percent"] = before.get(x["dimension"])
        x["arrow"] = _arrow(x.get("percent"), x["previous_percent"], "pct")


def year_over_year(
    current: dict[str, Any],
    previous: dict[str, Any],
    targets: dict[str, float],
) -> list[dict[str, Any]]:
    """Each figure beside last year's, its direction (▲ better, ▼ worse, ■ same; arrows for
    counts say only up or down) and, where the office set one, its target."""
    rows = []
    for key, th, en, unit in YEAR_OVER_YEAR:
        now, before = current.get(key), previous.get(key)
        arrow = _arrow(now, before, unit)
        target = targets.get(key)
        verdict_th = ""
        if target is not None and now is not None:
            verdict_th = TARGET_VERDICT["met" if now >= target else "below"]
        rows.append(
            {
                "key": key,
                "label_th": th,
                "label_en": en,
                "unit": unit,
                "previous": before,
                "current": now,
                "arrow": arrow,
                "target": target,
                "verdict_th": verdict_th,
            }
        )
    return rows


def figures(d: dict[str, Any], g: dict[str, Any]) -> dict[str, Any]:
    return _figures(d, g)


def _pct(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def sheets(d: dict[str, Any], g: dict[str, Any]) -> list[xlsx.Sheet]:
    """The evidence pack as sheets: one per section, plain tables."""
    o = d["overall"]
    out = [
        xlsx.Sheet(
            X["sheet_speed"],
            [X["measure"], X["value"]],
            [
                [X["issued"], o.get("issued")],
                [X["served"], o.get("served")],
                [X["wait_mean_s"], (o.get("wait") or {}).get("mean")],
                [X["within_target_pct"], _pct(o.get("within_target_pct"))],
                [X["within_standard_pct"], _pct(o.get("within_standard_pct"))],
            ],
            (40, 16),
        )
    ]
    sat = g["questionnaires"]["satisfaction"]
    out.append(
        xlsx.Sheet(
            X["sheet_satisfaction"],
            [
                X["dimension"],
                X["respondents"],
                X["answers"],
                X["mean"],
                "S.D.",
                X["percent"],
                X["previous_percent"],
            ],
            [
                [
                    x["label_th"],
                    x["respondents"],
                    x["answers"],
                    x["mean"],
                    x["sd"],
                    _pct(x["percent"]),
                    _pct(x.get("previous_percent")),
                ]
                for x in sat["dimensions"]
            ],
            (36, 12, 12, 12, 10, 10, 18),
        )
    )
    needs = g["questionnaires"]["needs"]
    out.append(
        xlsx.Sheet(
            X["sheet_needs"],
            [X["question"], X["choice"], X["count"], X["percent"]],
            [
                [q["label_th"], c["label_th"], c["count"], _pct(c["percent"])]
                for q in needs["questions"]
                for c in q["choices"]
            ],
            (36, 30, 10, 10),
        )
    )
    c = d.get("complaints") or {}
    out.append(
        xlsx.Sheet(
            X["sheet_complaints"],
            [X["measure"], X["value"]],
            [
                [X["received"], c.get("received")],
                [X["per_1000_served"], c.get("per_1000_served")],
                [X["acknowledged_within_pct"], c.get("acknowledged_within_pct")],
                [X["resolved_within_pct"], c.get("resolved_within_pct")],
                [X["median_days_to_resolve"], c.get("median_days_to_resolve")],
                [X["open"], c.get("open")],
                [X["overdue"], c.get("overdue")],
                *[
                    [X["by_category"].format(key=k), v]
                    for k, v in (c.get("by_category") or {}).items()
                ],
                *[
                    [X["by_channel"].format(key=k), v]
                    for k, v in (c.get("by_channel") or {}).items()
                ],
                *[
                    [X["root_cause"].format(key=r["root_cause"]), r["count"]]
                    for r in c.get("recurring_root_causes", [])
                ],
            ],
            (48, 14),
        )
    )
    s = g["staff_summary"]
    out.append(
        xlsx.Sheet(
            X["sheet_staff"],
            [X["measure"], X["value"]],
            [
                [X["staff_who_served"], s["staff"]],
                [X["transactions"], s["transactions"]],
                [X["within_standard_pct"], _pct(s["within_standard_pct"])],
            ],
            (40, 14),
        )
    )
    f = g["fairness"]
    out.append(
        xlsx.Sheet(
            X["sheet_fairness"],
            [
                X["service"],
                X["calls"],
                X["in_order"],
                X["out_of_order"],
                X["in_order_pct"],
            ],
            [
                [
                    x["name_th"],
                    x["calls"],
                    x["in_order"],
                    x["out_of_order"],
                    _pct(x["in_order_pct"]),
                ]
                for x in f["by_service"]
            ],
            (40, 12, 12, 12, 14),
        )
    )
    out.append(
        xlsx.Sheet(
            X["sheet_out_of_order"],
            [
                X["time"],
                X["number"],
                X["service"],
                X["counter"],
                X["reason"],
            ],
            [
                [x["at_th"], x["number"], x["service_th"], x["counter"], x["note"]]
                for x in f["out_of_order"]
            ],
            (24, 12, 36, 8, 40),
        )
    )
    out.append(
        xlsx.Sheet(
            X["sheet_manuals"],
            [
                X["service"],
                X["minutes"],
                X["fee"],
                X["documents"],
                X["legal_basis"],
                X["source"],
            ],
            [
                [
                    m["name_th"],
                    m["processing_minutes"],
                    m["fee_baht"],
                    "; ".join(d[0] for d in m["documents"]),
                    m["legal_basis_th"],
                    m["source_url"],
                ]
                for m in g["manuals"]
            ],
            (40, 12, 12, 50, 40, 40),
        )
    )
    out.append(
        xlsx.Sheet(
            X["sheet_yoy"],
            [
                X["measure"],
                X["previous"],
                X["this_year"],
                X["direction"],
                X["target"],
                X["result"],
            ],
            [
                [
                    r["label_th"],
                    r["previous"],
                    r["current"],
                    r["arrow"],
                    r["target"],
                    r["verdict_th"],
                ]
                for r in g["year_over_year"]
            ],
            (40, 14, 14, 10, 12, 16),
        )
    )
    return out


def write_xlsx(path: Path, d: dict[str, Any], g: dict[str, Any], title: str) -> None:
    xlsx.write(path, sheets(d, g), title=title)

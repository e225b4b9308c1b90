"""The office head edits the GECC evidence settings in chromium: a citizen manual, the evidence
targets and both questionnaires (a new version each save; a bad "every Nth" refused in Thai).
Screenshots in tests/artifacts/admin-evidence-*.png."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, expect

from tests.browser_conftest_helpers import (
    artifact,
    chromium,  # noqa: F401  (session fixture)
    new_context,
    watch,
)
from tests.conftest import DEMO_PASSWORDS
from tests.live import Served, serve

pytestmark = [pytest.mark.browser]


@pytest.fixture
async def server(seeded_template: Path, tmp_path: Path) -> AsyncIterator[Served]:
    shutil.copy(seeded_template, tmp_path / "office.db")
    async with serve(f"sqlite:///{tmp_path / 'office.db'}", var_dir=tmp_path / "var") as served:
        yield served


@pytest.fixture
async def manager(chromium: Browser, server: Served) -> AsyncIterator[BrowserContext]:  # noqa: F811
    async with httpx.AsyncClient(base_url=server.url) as client:
        r = await client.post(
            "/api/v1/auth/login",
            json={"username": "manager", "password": DEMO_PASSWORDS["manager"]},
        )
    context = await new_context(chromium, (1366, 900))
    await context.add_cookies(
        [{"name": "saduak_session", "value": r.json()["token"], "url": server.url}]
    )
    yield context
    await context.close()


async def test_a_manager_edits_a_citizen_manual(manager: BrowserContext, server: Served) -> None:
    page = await manager.new_page()
    page.set_default_timeout(10_000)
    log = watch(page)
    await page.goto(f"{server.url}/reports")
    await page.locator("a[href='/admin/evidence']").click()
    await expect(page.locator("h1")).to_contain_text("เป้าหมายหลักฐาน GECC")
    await page.locator("nav.side a[href='/admin/manuals']").click()
    birth = page.locator("#manual-birth")
    await birth.locator("summary").click()
    steps = birth.locator("textarea[name=steps]")
    await steps.fill("ยื่นหนังสือรับรองการเกิด | Hand in the birth certificate\nรับสูติบัตร | Collect")
    await birth.locator("input[name=fee_baht]").fill("0")
    await page.screenshot(path=artifact("admin-evidence-manual.png"), full_page=False)
    await birth.locator("button[type=submit]").click()
    await page.wait_for_load_state("load")
    await expect(
        page.locator("#manual-list tr", has_text="รับแจ้งการเกิด").locator(".badge.ok")
    ).to_be_visible()
    await page.locator("#manual-birth summary").click()
    await expect(page.locator("#manual-birth textarea[name=steps]")).to_have_value(
        "ยื่นหนังสือรับรองการเกิด | Hand in the birth certificate\nรับสูติบัตร | Collect\n"
    )
    # A document asking for a copy of the ID card is refused, in Thai, beside the form.
    docs = page.locator("#manual-birth textarea[name=documents]")
    await docs.fill("สำเนาบัตรประจำตัวประชาชน | Copy of the ID card")
    await page.locator("#manual-birth button[type=submit]").click()
    await expect(page.locator("#manual-birth [data-error]")).to_contain_text("สำเนา")
    # The refusals above are the only errors (the browser logs each 422 it was answered).
    assert all("status of 422" in e for e in log.errors), log.errors


async def test_a_manager_sets_the_evidence_targets(manager: BrowserContext, server: Served) -> None:
    page = await manager.new_page()
    page.set_default_timeout(10_000)
    await page.goto(f"{server.url}/admin/evidence")
    await page.locator("input[name=satisfaction_target_pct]").fill("190")
    await page.locator("#targets-form button[type=submit]").click()
    await expect(page.locator("#targets-form [data-error]")).to_contain_text("ต้องอยู่ระหว่าง 0 ถึง 100")
    await page.locator("input[name=satisfaction_target_pct]").fill("90")
    await page.locator("input[name=within_standard_target_pct]").fill("82.5")
    await page.locator("#targets-form button[type=submit]").click()
    await page.wait_for_load_state("load")
    await expect(page.locator("input[name=within_standard_target_pct]")).to_have_value("82.5")
    await page.screenshot(path=artifact("admin-evidence-targets.png"), full_page=True)


async def test_a_manager_edits_both_questionnaires_and_each_save_is_a_new_version(
    manager: BrowserContext, server: Served
) -> None:
    page = await manager.new_page()
    page.set_default_timeout(10_000)
    log = watch(page)
    await page.goto(f"{server.url}/admin/questionnaires")
    await expect(page.locator("[data-q-version]")).to_have_text("0")
    rows = page.locator("[data-q-item]")
    await expect(rows).to_have_count(5)
    clarity = rows.nth(2)
    await expect(clarity.locator("input[name=code]")).to_have_value("clarity")
    await clarity.locator("input[name=label_th]").fill("ความชัดเจนของป้ายและคำแนะนำ")
    await page.locator("[data-q-add-item]").click()
    new = rows.nth(5)
    await new.locator("input[name=code]").fill("booking")
    await new.locator("input[name=label_th]").fill("ความสะดวกของการจองคิว")
    await new.locator("input[name=label_en]").fill("Ease of booking")
    await new.locator("select[name=dimension]").select_option("process")
    await page.screenshot(path=artifact("admin-evidence-questionnaires.png"), full_page=True)
    await page.locator("#q-items button[type=submit]").click()
    await expect(page.locator("[data-q-version]")).to_have_text("1")
    await expect(rows).to_have_count(6)
    await expect(rows.nth(2).locator("input[name=label_th]")).to_have_value(
        "ความชัดเจนของป้ายและคำแนะนำ"
    )

    # The needs survey: every 0th is refused in Thai, every 3rd is saved as version 2.
    await page.locator("[data-q-every]").fill("-2")
    await page.locator("#q-needs button[type=submit]").click()
    await expect(page.locator("#q-needs [data-error]")).to_contain_text("0–1000")
    await page.locator("[data-q-every]").fill("3")
    await page.locator("[data-q-add-question]").click()
    question = page.locator("[data-q-question]").last
    await question.locator("input[name=code]").fill("language")
    await question.locator("input[name=label_th]").fill("ภาษาที่ต้องการรับบริการ")
    await question.locator("textarea[name=choices]").fill("th | ไทย | Thai\nmy | เมียนมา | Burmese")
    await page.locator("#q-needs button[type=submit]").click()
    await expect(page.locator("[data-q-version]")).to_have_text("2")
    await expect(page.locator("[data-q-every]")).to_have_value("3")
    await expect(page.locator("[data-q-question] input[name=code]").last).to_have_value("language")
    # The refusals above are the only errors (the browser logs each 422 it was answered).
    assert all("status of 422" in e for e in log.errors), log.errors

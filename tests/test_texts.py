"""The text catalogues: every key a page or a script asks for exists, and one concept has one name.

Templates are read through Jinja's own parser (a key is a constant attribute or item of the
catalogue's variable, or the argument of a macro that looks one up); scripts through the few
helpers that look words up. A key a template asks for and the catalogue lacks renders as nothing
(Jinja) or as the bare key (the scripts): neither fails anywhere else.
"""

from __future__ import annotations

import ast
import re
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

import admin.text
import bookings.text
import complaints.text
import displays.text
import kiosk.texts
import operations.text
import reports.text
from counter import texts
from counter.queue.states import Action, TicketStatus
from line import text as line_text

ROOT = Path(__file__).resolve().parents[1]

# (templates, the variable they read the catalogue through, the catalogue, macros taking a key).
TEMPLATE_CATALOGUES: list[tuple[str, str, Mapping[str, object], tuple[str, ...]]] = [
    ("counter/templates/console/*.html", "t", texts.CONSOLE, ()),
    ("counter/templates/login.html", "t", texts.CONSOLE, ()),
    ("counter/templates/forbidden.html", "t", texts.PAGES, ()),
    ("displays/templates/display/*.html", "t", displays.text.TEXT, ()),
    ("reports/templates/reports/*.html", "T", reports.text.T, ()),
    ("complaints/templates/complaints/*.html", "T", complaints.text.T, ()),
    ("operations/templates/operations/*.html", "T", operations.text.T, ()),
    ("admin/templates/admin/*.html", "t", admin.text.LABELS, ("bi", "field", "check")),
    ("kiosk/templates/*.html", "t", kiosk.texts.TEXT, ()),
    ("bookings/templates/bookings/book*.html", "T", bookings.text.PAGE, ()),
    ("bookings/templates/bookings/missing.html", "T", bookings.text.PAGE, ()),
    ("bookings/templates/bookings/*desk.html", "S", bookings.text.STAFF, ()),
    # The LINE package's catalogue is its module: a key is a name in it.
    ("line/templates/line/*.html", "t", vars(line_text), ()),
]

# (scripts, a pattern whose group "key" is a constant key, the catalogue).
SCRIPT_CATALOGUES: list[tuple[str, re.Pattern[str], Mapping[str, object]]] = [
    (
        "counter/static/console/*.js",
        re.compile(r"""(?:\b(?:th|en|both|toast)\(\s*|TEXT\[\s*)"(?P<key>[a-z0-9_]+)"(?!\s*\+)"""),
        texts.CONSOLE,
    ),
    (
        "displays/static/*.js",
        re.compile(
            r"""(?:\bpair\(\s*"(?P<key>[a-z0-9_]+)")|(?:config\.text\.(?P<attr>[a-z0-9_]+))"""
        ),
        displays.text.TEXT,
    ),
    (
        "kiosk/static/*.js",
        re.compile(r"""\bwords\(\s*"(?P<key>[a-z0-9_]+)"(?!\s*\+)"""),
        kiosk.texts.TEXT,
    ),
]

# Keys a script builds as "prefix_" + value: every value the server sends has its word.
CONSOLE_FAMILIES: dict[str, list[str]] = {
    "pause_": list(texts.PAUSE_REASONS),
    "priority_": list(texts.PRIORITIES),
    "status_": [status.value for status in TicketStatus],
    "group_": list(texts.GROUPS),
}


def _files(pattern: str) -> list[Path]:
    found = sorted(ROOT.glob(pattern))
    assert found, f"no files match {pattern}"
    return found


def _template_keys(source: str, variable: str, macros: tuple[str, ...]) -> Iterator[str]:
    tree = Environment(autoescape=True, extensions=["jinja2.ext.do"]).parse(source)
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Call)):
        if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
            if node.node.name == variable:
                yield node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.node, nodes.Name):
            if node.node.name == variable and isinstance(node.arg, nodes.Const):
                yield str(node.arg.value)
        elif (
            isinstance(node, nodes.Call)
            and isinstance(node.node, nodes.Name)
            and node.node.name in macros
            and node.args
            and isinstance(node.args[0], nodes.Const)
        ):
            yield str(node.args[0].value)


_DICT_METHODS = frozenset(dir(dict))


@pytest.mark.parametrize(
    ("pattern", "variable", "catalogue", "macros"),
    TEMPLATE_CATALOGUES,
    ids=[row[0] for row in TEMPLATE_CATALOGUES],
)
def test_every_key_a_template_asks_for_is_in_its_catalogue(
    pattern: str, variable: str, catalogue: Mapping[str, object], macros: tuple[str, ...]
) -> None:
    asked = 0
    missing: list[str] = []
    for path in _files(pattern):
        for key in _template_keys(path.read_text(encoding="utf-8"), variable, macros):
            if key in _DICT_METHODS:
                continue
            asked += 1
            if key not in catalogue:
                missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert not missing, "keys missing from the catalogue:\n" + "\n".join(missing)
    if pattern.endswith("*.html"):
        assert asked > 0, f"no catalogue key found in {pattern}: is the variable {variable!r}?"


@pytest.mark.parametrize(
    ("pattern", "regex", "catalogue"),
    SCRIPT_CATALOGUES,
    ids=[row[0] for row in SCRIPT_CATALOGUES],
)
def test_every_key_a_script_asks_for_is_in_its_catalogue(
    pattern: str, regex: re.Pattern[str], catalogue: Mapping[str, object]
) -> None:
    asked = 0
    missing: list[str] = []
    for path in _files(pattern):
        for match in regex.finditer(path.read_text(encoding="utf-8")):
            key = match.group("key") or match.groupdict().get("attr")
            if not key:
                continue
            asked += 1
            if key not in catalogue:
                missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert asked > 0
    assert not missing, "keys missing from the catalogue:\n" + "\n".join(missing)


@pytest.mark.parametrize("prefix", list(CONSOLE_FAMILIES))
def test_every_value_a_console_script_names_by_prefix_has_its_word(prefix: str) -> None:
    missing = [prefix + v for v in CONSOLE_FAMILIES[prefix] if prefix + v not in texts.CONSOLE]
    assert not missing


def test_the_console_names_shared_words_as_the_shared_catalogue_does() -> None:
    for prefix, table in (
        ("pause_", texts.PAUSE_REASONS),
        ("priority_", texts.PRIORITIES),
        ("group_", texts.GROUPS),
    ):
        for key, pair in table.items():
            assert texts.CONSOLE[prefix + key] == pair


class TestSharedWords:
    def test_every_ticket_status_has_a_staff_and_a_citizen_word(self) -> None:
        for status in TicketStatus:
            assert status.value in texts.STATUSES
            assert status.value in texts.CITIZEN_STATUSES

    def test_every_action_has_a_verb(self) -> None:
        assert {action.value for action in Action} <= set(texts.ACTIONS)

    def test_reports_take_the_shared_words(self) -> None:
        assert reports.text.OUTCOME is texts.OUTCOMES
        assert reports.text.ARRIVAL is texts.ARRIVALS
        for key, pair in texts.PRIORITIES.items():
            assert reports.text.PRIORITY[key] == pair
        for key, pair in texts.PAUSE_REASONS.items():
            assert reports.text.PAUSE_REASON[key] == pair

    def test_displays_name_groups_as_everyone_else(self) -> None:
        assert displays.text.GROUP_NAMES is texts.GROUPS

    def test_a_message_fills_its_placeholders_in_both_languages(self) -> None:
        th, en = texts.say("no_counter", number=7)
        assert "7" in th and "7" in en and "{" not in th + en

    def test_every_message_formats_with_the_names_it_declares(self) -> None:
        for key, (th, en) in texts.MESSAGES.items():
            names = set(re.findall(r"\{(\w+)", th + en))
            values = dict.fromkeys(names, "x")
            texts.say(key, **values)


# Where Thai may be written in Python: the catalogues, the calendar's words, the voice's spoken
# words, and demo data. Everything else asks a catalogue.
# A package's catalogue is its text.py or texts.py.
CATALOGUES = frozenset(
    {
        "counter/queue/thai.py",
        "displays/voice.py",
        "counter/seed.py",
        "reports/synthetic.py",
        "complaints/synthetic.py",
        "operations/synthetic.py",
        "line/fake.py",  # the stand-in LINE platform's own page
    }
)
# Modules that still spell some Thai themselves, to be moved into their package's catalogue (none
# left). The list only shrinks: a module that no longer needs its entry fails the test below.
NOT_YET_MOVED: frozenset[str] = frozenset()
# Modules that read Thai people type (not text they show).
READERS = frozenset(
    {
        "counter/manual.py",  # finds a manual asking for a copy of the ID card
        "bookings/service.py",  # reads a time typed as "08.30 น."
        "printer/thaiwords.py",  # words the slip's line breaking must keep whole
    }
)
THAI = re.compile(r"[\u0E00-\u0E7F]")


def _thai_literals(path: Path) -> list[tuple[int, str]]:
    """Lines of string literals holding Thai, docstrings left out (they may quote a term)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and THAI.search(node.value)
    ]


def _shipped_modules() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [name for name in listed if not name.startswith(("tests/", "bench/", "alembic/"))]


def test_no_thai_is_written_in_python_outside_the_catalogues() -> None:
    spelled = {name for name in _shipped_modules() if _thai_literals(ROOT / name)}
    stray = sorted(
        name
        for name in spelled - CATALOGUES - READERS - NOT_YET_MOVED
        if Path(name).name not in ("text.py", "texts.py")
    )
    assert not stray, "Thai outside a catalogue (move it into the package's text module): " + (
        ", ".join(f"{name}:{[n for n, _ in _thai_literals(ROOT / name)]}" for name in stray)
    )
    moved = sorted(NOT_YET_MOVED - spelled)
    assert not moved, f"no Thai left in {moved}: take them off NOT_YET_MOVED"


# THAI-TERMS.md: one word per concept. Each variant here has a preferred word people read instead.
FORBIDDEN_VARIANTS: dict[str, str] = {
    "ผู้พิการ": "คนพิการ (the legal term)",
    "หญิงตั้งครรภ์": "สตรีมีครรภ์",
    "พักเบรก": "พักชั่วคราว",
    "หมายเลขบัตรคิว": "หมายเลขคิว",
    "ค้างสิ้นวัน": "ไม่ได้รับบริการ (ค้างเมื่อสิ้นวัน)",
    "ปิดเมื่อสิ้นวัน": "ไม่ได้รับบริการ (ค้างเมื่อสิ้นวัน)",
    "รับโอน": "รับส่งต่อจากงานอื่น",
    "รับบัตรคิวครบ": "ออกบัตรคิวครบ",
    "บัตรฯ": "บัตรประจำตัวประชาชน in full",
    "เซิร์ฟเวอร์": "เครื่องแม่ข่าย",
    "งานอนุญาต": "งานขออนุญาต",
    "บัตรคิวพิเศษ": "ช่องทางพิเศษ",
    "ไม่มาตามเรียก": "ไม่พบผู้รับบริการ (citizens: เรียกหมายเลขของท่านแล้วแต่ไม่พบท่าน…)",
    "ลงทะเบียนแล้ว": "จับคู่แล้ว (devices)",
    "ค่ะ": "no particle in written text (the office chooses the voice's)",
    "ครับ": "no particle in written text (the office chooses the voice's)",
}
# The voice: words spoken, and the setting that chooses the particle.
SPOKEN = frozenset({"displays/voice.py", "displays/clips/manifest.json"})
# The voice setting's own choices ("ค่ะ (เสียงผู้หญิง)") name the particle they choose.
PARTICLE_CHOICE = re.compile(r"^(ค่ะ|ครับ) \(เสียง")


def _text_surfaces() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "*.py", "*.html", "*.js", "*.json", "*.csv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [n for n in listed if not n.startswith(("tests/", "bench/", "alembic/"))]


def _lines(name: str) -> Iterator[tuple[int, str]]:
    """What people may read of a file: in Python its string literals (not docstrings or
    comments, which may name a word to avoid), elsewhere every line."""
    path = ROOT / name
    if name.endswith(".py"):
        yield from _thai_literals(path)
        return
    yield from enumerate(path.read_text(encoding="utf-8").splitlines(), 1)


def test_every_surface_uses_the_preferred_thai_words() -> None:
    found: list[str] = []
    for name in _text_surfaces():
        if name in SPOKEN:
            continue
        for number, line in _lines(name):
            if PARTICLE_CHOICE.match(line):
                continue
            for variant, use in FORBIDDEN_VARIANTS.items():
                if variant in line:
                    found.append(f"{name}:{number}: {variant!r} → {use}")
    assert not found, "\n".join(found)


# Pages whose every word comes from their catalogue: no Thai is spelled in them (comments aside).
CATALOGUED_PAGES = (
    "kiosk/templates/*.html",
    "kiosk/static/*.js",
)
_COMMENTS = re.compile(r"\{#.*?#\}|<!--.*?-->|^\s*//.*?$|\s//\s.*?$", re.S | re.M)


@pytest.mark.parametrize("pattern", CATALOGUED_PAGES)
def test_the_citizens_pages_spell_no_thai_themselves(pattern: str) -> None:
    spelled = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in _files(pattern)
        for line in _COMMENTS.sub("", path.read_text(encoding="utf-8")).splitlines()
        if THAI.search(line)
    ]
    assert not spelled, "Thai spelled in a page (move it into kiosk/texts.py):\n" + "\n".join(
        spelled
    )


def test_citizens_read_about_rather_than_a_tilde() -> None:
    """Elderly readers do not read "~" as "about": estimates say ประมาณ."""
    pages = [*_files("kiosk/templates/*.html"), *_files("kiosk/static/*.js")]
    pages.append(ROOT / "kiosk/texts.py")
    tilde = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in pages
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "~" in line and THAI.search(line)
    ]
    assert not tilde
    th, _ = __import__("kiosk.texts").texts.wait_text(3, (10, 20))
    assert th == "รอ 3 คิว (ประมาณ 10–20 นาที)"


def test_the_bundled_catalogue_spells_out_the_id_card_and_names_groups_once() -> None:
    from counter.seed import catalogue

    for service in catalogue():
        assert service.group in texts.GROUPS
        if service.group == "id_card":
            assert "บัตรประจำตัวประชาชน" in service.name_th, service.name_th
    codes = {service.code for service in catalogue()}
    assert {"id_card_lost", "move_out"} <= codes

"""The demo's improvement plan: seed 001's section IV as data (fixtures/national/plan_001.json), and the
demo loading it so that Đắk Lắk's leadership sees the plan, its owners and targets on day one."""

import csv
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

PLAN_FILE = Path(settings.BASE_DIR) / "fixtures" / "national" / "plan_001.json"
CATALOGUE = Path(settings.BASE_DIR) / "fixtures" / "catalogues" / "922_QD-BTTTT_daklak_2021.csv"
SEED = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "001_73f49b89a1a1bfe5.txt"

# Section IV's 18 members of the steering committee (item 17 names two operators, each its own owner).
SEED_OWNERS = {
    "Công an tỉnh", "Văn phòng UBND tỉnh", "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Công Thương",
    "Sở Giáo dục và Đào tạo", "Sở Lao động - Thương binh và Xã hội", "Sở Nông nghiệp và Phát triển Nông thôn",
    "Cục Thuế tỉnh", "Cục Thống kê tỉnh", "Báo Đắk Lắk", "Đài Phát thanh và Truyền hình tỉnh",
    "Ngân hàng Nhà nước chi nhánh Đắk Lắk", "Bưu điện tỉnh", "Viettel Post chi nhánh Đắk Lắk",
    "Hiệp hội Doanh nghiệp tỉnh", "Viễn thông Đắk Lắk", "Viettel Đắk Lắk", "Sở Thông tin và Truyền thông",
}

# (owner, criterion) -> {year: value} and the unit: the numeric targets section IV sets.
SEED_TARGETS = {
    ("Công an tỉnh", "8.1"): ({2023: "50"}, "%"),
    ("Văn phòng UBND tỉnh", "1.5"): ({2022: "20", 2023: "20", 2024: "20", 2025: "20"}, "tin bài"),
    ("Sở Kế hoạch và Đầu tư", "7.4"): ({2025: "10"}, "%"),
    ("Sở Kế hoạch và Đầu tư", "7.5"): ({2025: "50"}, "%"),
    ("Sở Công Thương", "7.6"): ({2022: "20", 2023: "40", 2024: "60", 2025: "80"}, "%"),
    ("Cục Thuế tỉnh", "7.7"): ({2025: "100"}, "%"),
    ("Bưu điện tỉnh", "7.8"): ({2025: "50"}, "%"),
    ("Bưu điện tỉnh", "7.9"): ({2025: "5"}, "%"),
    ("Viettel Post chi nhánh Đắk Lắk", "7.9"): ({2025: "5"}, "%"),
}


def _plan() -> dict:
    return json.loads(PLAN_FILE.read_text(encoding="utf-8"))


def _catalogue() -> dict[str, dict]:
    with open(CATALOGUE, encoding="utf-8", newline="") as f:
        return {row["code"]: row for row in csv.DictReader(f)}


def _series(task) -> dict[int, Decimal]:
    return {t["year"]: Decimal(t["value"]) for t in task["targets"]}


# --- the data file alone ------------------------------------------------------------------------
def test_the_plan_file_names_the_plan_of_seed_001():
    plan = _plan()["plan"]
    assert plan["name"] == "Kế hoạch nâng cao Chỉ số Chuyển đổi số tỉnh Đắk Lắk năm 2022 và các năm tiếp theo"
    assert (plan["province"], plan["base_year"], plan["first_year"], plan["last_year"]) == ("daklak", 2021, 2022, 2025)


def test_every_task_improves_a_criterion_of_the_national_catalogue():
    catalogue = _catalogue()
    for task in _plan()["tasks"]:
        assert task["criterion"] in catalogue, task["title"]
        assert "." in task["criterion"] and Decimal(catalogue[task["criterion"]]["max_points"]) > 0, task["criterion"]
        assert task["title"] and task["description"] and len(task["title"]) <= 500


def test_every_owner_of_section_iv_owns_a_task_and_nobody_else_does():
    assert {task["owner"] for task in _plan()["tasks"]} == SEED_OWNERS


def test_the_numeric_targets_are_the_seeds_and_no_task_invents_one():
    found = {}
    for task in _plan()["tasks"]:
        if task["targets"]:
            key = (task["owner"], task["criterion"])
            assert key not in found, key
            found[key] = ({t["year"]: t["value"] for t in task["targets"]}, task["unit_of_measure"])
    assert found == SEED_TARGETS


def test_targets_run_in_year_order_within_the_plan_and_the_deadline_ends_the_last_target_year():
    plan = _plan()["plan"]
    for task in _plan()["tasks"]:
        years = [t["year"] for t in task["targets"]]
        assert years == sorted(set(years)), task["title"]
        assert all(plan["first_year"] <= y <= plan["last_year"] for y in years)
        assert all(Decimal(t["value"]) > 0 for t in task["targets"])
        if years:
            assert task["deadline"] == date(years[-1], 12, 31).isoformat() and task["unit_of_measure"]
        else:  # the seed gives no number: no target, no invented deadline, no unit
            assert task["deadline"] is None and task["unit_of_measure"] == ""


def test_a_percentage_target_stays_within_a_hundred():
    for task in _plan()["tasks"]:
        if task["unit_of_measure"] == "%":
            assert all(Decimal(t["value"]) <= 100 for t in task["targets"]), task["title"]


def test_collaborators_are_named_organisations_never_the_owner_itself():
    for task in _plan()["tasks"]:
        assert task["owner"] not in task["collaborators"], task["title"]
        assert len(set(task["collaborators"])) == len(task["collaborators"])
        assert all(name.strip() == name and name for name in task["collaborators"])
    e_contracts = next(t for t in _plan()["tasks"] if t["criterion"] == "7.6" and t["targets"])
    assert e_contracts["collaborators"] == ["Sở Kế hoạch và Đầu tư"]


def test_every_task_cites_the_lines_of_section_iv_under_its_owners_heading():
    """Each source note starts with the seed lines it reads; those lines sit under the numbered heading
    of the owner as the seed writes it (items 1–18 of section IV, lines 253–560)."""
    if not SEED.exists():
        pytest.skip(f"the seed is not beside this clone ({SEED})")
    lines = SEED.read_text(encoding="utf-8").splitlines()
    headings = {}  # line number (1-based) -> heading text, for section IV's numbered items
    for number, text in enumerate(lines, start=1):
        if 253 <= number <= 560 and (match := re.match(r"\s*(\d{1,2})\. (\S.*)", text)):
            headings[number] = match.group(2)
    assert len(headings) == 18
    for task in _plan()["tasks"]:
        match = re.match(r"lines? (\d+)(?:–(\d+))?[:,]", task["source"])
        assert match, task["source"]
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        assert 253 < first <= last <= 560
        heading = headings[max(n for n in headings if n <= first)]
        assert heading.startswith(task["owner_as_written"]), (task["title"], heading)
        written = " ".join(" ".join(lines[first - 1:last]).split())
        assert written, task["source"]


def test_the_seeds_own_words_name_every_owner():
    if not SEED.exists():
        pytest.skip(f"the seed is not beside this clone ({SEED})")
    text = " ".join(SEED.read_text(encoding="utf-8").split())
    for task in _plan()["tasks"]:
        assert task["owner_as_written"] in text, task["owner_as_written"]

"""The demo's improvement plan: seed 001's section IV as data (fixtures/national/plan_001.json), and the
demo loading it so that Đắk Lắk's leadership sees the plan, its owners and targets on day one."""

import csv
import importlib
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from dti_portal.accounts.models import Membership
from dti_portal.tenancy.models import Province, Unit

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


def test_the_twenty_news_items_a_year_stay_in_words_not_as_a_target_of_1_5():
    """1.5 is scored in points for having the section; a count of news items is not its measure."""
    news = next(t for t in _plan()["tasks"] if t["criterion"] == "1.5")
    assert news["owner"] == "Văn phòng UBND tỉnh" and news["targets"] == []
    assert "20 tin" in news["title"] and "20 tin bài" in news["description"]


def test_a_percentage_target_stays_within_a_hundred():
    for task in _plan()["tasks"]:
        if task["unit_of_measure"] == "%":
            assert all(Decimal(t["value"]) <= 100 for t in task["targets"]), task["title"]


def test_every_percentage_target_sits_on_a_criterion_scored_as_a_share():
    """A target is a value in its criterion's own measure: "%" only where the catalogue scores a share."""
    catalogue = _catalogue()
    for task in _plan()["tasks"]:
        if task["targets"]:
            assert task["unit_of_measure"] == "%"
            assert catalogue[task["criterion"]]["rule"] in ("ratio", "ratio_target", "ratio_steps"), task["criterion"]


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


# --- the demo loading it ------------------------------------------------------------------------
def _services_or_skip():
    """The loader calls the plan helper's services (national/plan.py) and the 2021 result's loader
    (national/seed_2021.py); until both exist the demo cannot load the plan."""
    for module in ("national.plan", "national.seed_2021"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError:
            pytest.skip(f"{module} is not there yet: the demo loads the plan through it")


def _load_demo():
    _services_or_skip()
    call_command("load_demo")
    return Province.objects.get(slug="daklak")


def test_the_demo_holds_the_plan_of_seed_001_with_every_owner_and_the_seeds_targets(db):
    from national.models import Plan, Target, Task

    province = _load_demo()
    data = _plan()
    with scope(province=province):
        plan = Plan.objects.get()
        assert (plan.name, plan.base_year, plan.first_year, plan.last_year) == (
            "Kế hoạch nâng cao Chỉ số Chuyển đổi số tỉnh Đắk Lắk năm 2022 và các năm tiếp theo", 2021, 2022, 2025)
        tasks = list(plan.tasks.select_related("owner__kind", "indicator").prefetch_related("collaborators", "targets"))
        assert len(tasks) == len(data["tasks"]) == 63
        owners = {task.owner.name for task in tasks}
        # The seed's spellings reach the province's units: its sở by name or alias, the others as organisations.
        assert owners == (SEED_OWNERS - {"Sở Lao động - Thương binh và Xã hội", "Sở Nông nghiệp và Phát triển Nông thôn"}) | {
            "Sở Lao động, Thương binh và Xã hội", "Sở Nông nghiệp và Phát triển nông thôn"}
        kinds = {task.owner.name: task.owner.kind.code for task in tasks}
        assert kinds["Sở Công Thương"] == kinds["Sở Lao động, Thương binh và Xã hội"] == "so"
        assert kinds["Công an tỉnh"] == kinds["Văn phòng UBND tỉnh"] == kinds["Viettel Đắk Lắk"] == "tochuc"

        def series(owner, code):
            task = next(t for t in tasks if t.owner.name == owner and t.indicator.code == code and t.targets.all())
            return task, {t.year: t.value for t in task.targets.all()}

        task, targets = series("Công an tỉnh", "8.1")
        assert targets == {2023: Decimal("50")} and task.unit_of_measure == "%" and task.deadline == date(2023, 12, 31)
        task, targets = series("Sở Công Thương", "7.6")
        assert targets == {2022: 20, 2023: 40, 2024: 60, 2025: 80} and task.deadline == date(2025, 12, 31)
        assert [u.name for u in task.collaborators.all()] == ["Sở Kế hoạch và Đầu tư"]
        assert series("Sở Kế hoạch và Đầu tư", "7.4")[1] == {2025: 10}
        assert series("Sở Kế hoạch và Đầu tư", "7.5")[1] == {2025: 50}
        assert series("Cục Thuế tỉnh", "7.7")[1] == {2025: 100}
        assert series("Bưu điện tỉnh", "7.8")[1] == {2025: 50}
        assert series("Viettel Post chi nhánh Đắk Lắk", "7.9")[1] == {2025: 5}
        assert Target.objects.filter(task__plan=plan).count() == 11
        assert {t.inputs["b"] for t in Target.objects.filter(task__plan=plan)} == {"100"}  # shares, as the engine reads them
        assert not any(t.targets.all() for t in tasks if t.indicator.code == "1.5")
        assert Task.objects.filter(plan=plan, deadline__isnull=True).count() == 63 - 8  # 8 tasks have targets


def test_every_spelling_of_an_owner_in_the_seed_finds_its_unit(db):
    """The seed's headings, its list of recipients and VNPT reach one unit each (names or aliases)."""
    from dti_portal.tenancy.selectors import find_units_by_name

    province = _load_demo()
    spellings = {task["owner_as_written"]: task["owner"] for task in _plan()["tasks"]
                 if task["owner_as_written"] != "Viễn thông Đắk Lắk, Viettel Đắk Lắk"}  # item 17 names two
    spellings |= {alias: owner for owner, aliases in _plan()["aliases"].items() for alias in aliases}
    with scope(province=province):
        for written, owner in spellings.items():
            found = find_units_by_name(province, written)
            assert len(found) == 1, written
            assert find_units_by_name(province, owner) == found, written


def test_the_demo_holds_the_2021_result_the_plan_answers(db):
    from national.models import NationalResult, Plan

    province = _load_demo()
    with scope(province=province):
        result = NationalResult.objects.get(year=2021)
        assert (result.rank, result.provinces) == (36, 63)
        assert Plan.objects.get().base_year == result.year


def test_the_owner_accounts_are_officers_of_organisations_that_own_tasks(db):
    from national.models import Task

    province = _load_demo()
    with scope(province=province):
        for username, owner in [("daklak.congan", "Công an tỉnh"), ("daklak.cucthue", "Cục Thuế tỉnh"),
                                ("daklak.viettel", "Viettel Đắk Lắk")]:
            membership = Membership.objects.select_related("unit__kind").get(user__username=username, province=province)
            assert (membership.role, membership.unit.name, membership.unit.kind.code) == ("unit_officer", owner, "tochuc")
            assert Task.objects.filter(owner=membership.unit).exists(), owner


def test_the_demo_enters_the_plan_as_the_coordinating_agency_in_the_audit_log(db):
    from dti_portal.audit.models import Entry

    province = _load_demo()
    with scope(province=province):
        entries = Entry.objects.filter(action__in=["plan.created", "task.created", "targets.saved"])
        assert set(entries.values_list("action", flat=True)) == {"plan.created", "targets.saved", "task.created"}
        assert entries.count() == 1 + 63 + 8
        assert set(entries.values_list("actor__username", flat=True)) == {"daklak.quantri"}


def test_loading_the_demo_twice_adds_nothing_to_the_plan(db):
    from dti_portal.audit.models import Entry
    from national.models import NationalResult, Plan, Target, Task

    _load_demo()

    def counts():
        with scopes_disabled():
            return [m.objects.count() for m in (NationalResult, Plan, Task, Target, Unit, Membership, Entry)]

    before = counts()
    call_command("load_demo")
    assert counts() == before

"""Accessible to everyone: axe-core finds no WCAG 2.1 A/AA violation on the main page of every role, and at
390 px (a phone) no page runs off the screen.

axe-core is vendored from npm under tests/e2e/vendor/axe-core/ (version in VERSION there) and injected into the
page under test; it is never served to users. The pages are those of the demo (`load_demo`), so the test
follows whatever the demo holds rather than hand-made rows.
"""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from assessments.models import Assessment, Period
from dti_portal.demo import APPRAISAL_PERIOD, DEMO_PASSWORD
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SHOTS = ARTIFACTS.parent / "a11y"

# Every violation as data: rule id, impact, what it asks, and the CSS path of each failing node.
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.map(n => n.target.join(' '))}));
}"""
OVERFLOW = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", mergers=False)  # Đắk Nông as its own tenant (before 01/07/2025): it publishes its 2023
    with scopes_disabled():
        period = Period.objects.get(name=APPRAISAL_PERIOD)
        by_unit = {a.unit.name: a for a in Assessment.objects.filter(period=period).select_related("unit")}
        entry = Assessment.objects.get(period__province__slug="daklak", period__year=2025, unit__name="Sở Y tế")

    def url(name, province, **kwargs):
        return reverse(name, kwargs={"province": province, **kwargs})

    return {
        "board": url("assessments:appraisal_board", "daknong", period_id=period.pk),
        # Round 1 under way: the appraiser's decision forms are on the page.
        "appraisal": url("assessments:unit_appraisal", "daknong", assessment_id=by_unit["Sở Nội vụ"].pk),
        # Final: both rounds, an explanation and a long log.
        "history": url("assessments:history", "daknong", assessment_id=by_unit["Sở Thông tin và Truyền thông"].pk),
        "entry": url("assessments:entry", "daklak", assessment_id=entry.pk),
        "period": url("assessments:period_detail", "daknong", period_id=period.pk),
    }


def violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations of the page as it is now, one readable line each."""
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern
    # (an injected <script> would be refused: the policy allows no inline script).
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(AXE_RUN, WCAG_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {'; '.join(v['nodes'])}" for v in found]


def audit(page, url, problems):
    """axe-core on the page at `url`, and the page no wider than the window."""
    response = page.goto(url)
    assert response.ok, f"{url}: HTTP {response.status}"
    page.wait_for_load_state("networkidle")
    problems += [f"{url}: {v}" for v in violations(page)]
    scroll_width, inner = page.evaluate(OVERFLOW)
    if scroll_width > inner:
        problems.append(f"{url}: the page is {scroll_width} px wide at {inner} px")


def as_user(page, login, username):
    page.context.clear_cookies()
    login(username, DEMO_PASSWORD)


def role_pages(demo) -> list[tuple[str | None, list[str]]]:
    """The main pages of every role, by who opens them (None: a visitor who has not logged in)."""
    daknong, daklak = {"province": "daknong"}, {"province": "daklak"}
    return [
        (None, ["/", reverse("accounts:login"), reverse("public_home", kwargs=daknong)]),
        ("quantri", [reverse("platform:admin_home")]),
        ("daknong.quantri", [reverse("accounts:home"), reverse("tenancy:admin_home", kwargs=daknong),
                             demo["period"], reverse("rankings:publication_list", kwargs=daknong),
                             reverse("audit:log", kwargs=daknong)]),
        ("daklak.canbo", [reverse("accounts:home"), demo["entry"]]),
        ("daknong.thamdinh", [reverse("assessments:appraiser_home", kwargs=daknong), demo["appraisal"]]),
        ("daknong.totruong", [reverse("assessments:lead_home", kwargs=daknong), demo["board"], demo["history"]]),
        ("daklak.lanhdao", [reverse("rankings:leadership_home", kwargs=daklak),
                            reverse("rankings:ranking_detail", kwargs={**daklak, "year": 2023, "kind_code": "so"})]),
    ]


def audit_roles(page, login, demo, problems):
    for username, urls in role_pages(demo):
        if username:
            as_user(page, login, username)
        for url in urls:
            audit(page, url, problems)


def test_axe_finds_no_wcag_violation_on_the_main_page_of_every_role(demo, page, login, live_server):
    page.set_viewport_size({"width": 1366, "height": 768})
    problems: list[str] = []
    audit_roles(page, login, demo, problems)

    # The publication: an admin publishes 2023 (the test settings run the work at once), then its page and the
    # public page of the year.
    as_user(page, login, "daknong.quantri")
    page.goto(reverse("rankings:publication_list", kwargs={"province": "daknong"}))
    page.get_by_label("Năm").select_option("2023")
    page.get_by_label("Số quyết định").fill("401/QĐ-UBND")
    page.get_by_label("Ngày (dd/mm/yyyy)").fill("05/04/2024")
    page.get_by_label("Người ký").fill("Chủ tịch UBND tỉnh")
    page.get_by_role("button", name="Công bố").click()
    confirm = page.get_by_role("button", name="Xác nhận công bố năm 2023")
    if confirm.count():  # publishing asks for a confirmation first
        problems += [f"{page.url} (xác nhận): {v}" for v in violations(page)]
        confirm.click()
    expect(page.get_by_test_id("publication-status")).to_have_text("Đã công bố")
    audit(page, reverse("rankings:publication_detail", kwargs={"province": "daknong", "year": 2023}), problems)
    page.context.clear_cookies()
    audit(page, reverse("public_year", kwargs={"province": "daknong", "year": 2023}), problems)

    assert not problems, "WCAG 2.1 A/AA violations (axe-core):\n" + "\n".join(problems)


def test_keyboard_users_see_where_they_are_and_skip_the_menu(demo, page, login):
    page.set_viewport_size({"width": 1366, "height": 768})
    login("daknong.thamdinh", DEMO_PASSWORD)
    page.goto(demo["appraisal"])
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua menu, đến nội dung chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")  # the first link of the menu
    link = page.locator(".navbar .nav-link").first
    expect(link).to_be_focused()
    ring = link.evaluate("e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth, "
                         "getComputedStyle(e).outlineColor]")
    assert ring == ["solid", "3px", "rgb(255, 218, 106)"], ring  # #ffda6a: 4.8:1 on the navbar's #0a58ca
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("nav.navbar").screenshot(path=SHOTS / "navbar-focus.png")

    # On the page itself the ring is dark blue: focus the first decision of the appraisal table.
    radio = page.get_by_test_id("appraisal-table").locator("input[type=radio]").first
    radio.focus()
    focused = radio.evaluate("e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineColor]")
    assert focused == ["solid", "rgb(10, 88, 202)"], focused  # #0a58ca: 6.4:1 on white

    # Each criterion's decisions are one named radio group (fieldset + legend).
    rows = page.get_by_test_id("appraisal-table").locator("tr[data-code]:has(input[type=radio])")
    assert rows.count() > 0
    for row in rows.all()[:5]:
        code = row.get_attribute("data-code")
        group = row.get_by_role("group", name=f"Quyết định chỉ tiêu {code}")
        expect(group.get_by_role("radio")).not_to_have_count(0)
    loose = page.evaluate("""() => [...document.querySelectorAll('[data-testid=appraisal-table] input[type=radio]')]
                                   .filter(r => !r.closest('fieldset')).length""")
    assert loose == 0
    page.screenshot(path=SHOTS / "appraisal-1366.png")


def test_at_390_px_no_page_runs_off_the_screen(demo, page, login):
    page.set_viewport_size({"width": 390, "height": 844})
    problems: list[str] = []
    audit_roles(page, login, demo, problems)
    SHOTS.mkdir(parents=True, exist_ok=True)
    as_user(page, login, "daknong.thamdinh")
    page.goto(demo["appraisal"])
    page.screenshot(path=SHOTS / "appraisal-390.png", full_page=True)
    as_user(page, login, "daknong.totruong")
    page.goto(demo["history"])
    page.screenshot(path=SHOTS / "history-390.png", full_page=True)
    assert not problems, "At 390 px:\n" + "\n".join(problems)


@pytest.fixture
def merged_demo(transactional_db):
    call_command("load_demo")  # as `make demo` ships it: Đắk Nông merged into Lâm Đồng
    with scopes_disabled():
        return Period.objects.get(name=APPRAISAL_PERIOD)


def test_axe_finds_no_wcag_violation_on_lamdongs_pages_holding_the_former_daknong(merged_demo, page, login):
    """The receiving tenant's pages list the merged province's period and results, labelled: same standard."""
    page.set_viewport_size({"width": 1366, "height": 768})
    lamdong = {"province": "lamdong"}
    problems: list[str] = []
    for username, urls in [
        ("daknong.quantri", [reverse("tenancy:admin_home", kwargs=lamdong), reverse("assessments:period_list", kwargs=lamdong),
                             reverse("assessments:period_detail", kwargs={**lamdong, "period_id": merged_demo.pk})]),
        ("daknong.totruong", [reverse("assessments:lead_home", kwargs=lamdong)]),
        ("lamdong.lanhdao", [reverse("rankings:leadership_home", kwargs=lamdong),
                             reverse("rankings:ranking_detail", kwargs={**lamdong, "year": 2023, "kind_code": "so"}) + "?tinh=daknong"]),
    ]:
        as_user(page, login, username)
        for url in urls:
            audit(page, url, problems)
    assert not problems, "WCAG 2.1 A/AA violations (axe-core):\n" + "\n".join(problems)

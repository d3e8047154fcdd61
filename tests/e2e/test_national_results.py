"""The coordinating agency opens the province's 2021 national DTI analysis and sees it exactly as seeds
001/004 publish it — rank 36/63, the pillars' points and ranks — with the publication's defects flagged
where they appear (issue 12, deliverable 6); then it corrects a rank, refused first when above 63."""

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.national.results_fixtures import national  # noqa: F401  (fixture)

SHOTS = Path("/work/notes/shots")
PILLARS = [("1", "74", "22/63"), ("2", "30", "53/63"), ("3", "41,6", "35/63"), ("4", "12,63", "53/63"),
           ("5", "54", "27/63"), ("6", "78,47", "37/63"), ("7", "61,62", "34/63"), ("8", "46,17", "39/63")]


def shot(page, name):
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"results-{name}.png"), full_page=True)


def test_the_admin_sees_the_2021_analysis_as_published_with_its_defects_flagged(national, page, login, snapshot):
    page.set_viewport_size({"width": 1366, "height": 768})
    login("a.quantri")
    page.goto("/tinh-a/dti-cap-tinh/")
    results = page.get_by_test_id("results-list")
    expect(results.locator("tr[data-year='2021']")).to_contain_text("36/63")
    results.get_by_role("link", name="Phân tích điểm bị mất").click()

    expect(page.get_by_test_id("result-title")).to_have_text("Phân tích Chỉ số DTI cấp tỉnh năm 2021")
    expect(page.get_by_test_id("overall-rank")).to_have_text("36/63")
    pillars = page.get_by_test_id("pillar-table")
    for code, points, rank in PILLARS:
        row = pillars.locator(f"tr[data-code='{code}']")
        expect(row.get_by_test_id("pillar-points")).to_have_text(points)
        expect(row.get_by_test_id("pillar-rank")).to_have_text(rank)
    expect(pillars.locator("tr[data-code='5']").get_by_test_id("pillar-flag")).to_contain_text(
        "Bản công bố ghi 54 điểm, nhưng các chỉ số của trụ cột cộng lại được 52,47 điểm")
    expect(pillars.locator("tr[data-code='6']").get_by_test_id("pillar-flag")).to_contain_text("78,544")
    for code in ("1", "2", "3", "4", "7", "8"):
        expect(pillars.locator(f"tr[data-code='{code}']").get_by_test_id("pillar-flag")).to_have_count(0)

    flags = page.get_by_test_id("flags")
    expect(flags).to_contain_text("Sai sót của bản công bố (4)")
    expect(flags.locator("li")).to_have_text([re.compile(r"^Trụ cột 5: "), re.compile(r"^5\.10: .*8 điểm"),
                                               re.compile(r"^Trụ cột 6: "), re.compile(r"^6\.20: .*“6\.2”")])
    shot(page, "analysis-top")

    lost_3 = page.locator("[data-testid='lost-pillar'][data-code='3']")
    expect(lost_3.get_by_test_id("lost-row").first).to_contain_text("3.5")
    expect(lost_3.get_by_test_id("lost-row").first.get_by_test_id("lost")).to_have_text("30")
    expect(lost_3.get_by_test_id("lost-row").first.get_by_test_id("owners")).to_have_text("chưa giao")

    table = page.get_by_test_id("criteria-table")
    expect(table.locator("tr[data-code='5.10']").get_by_test_id("points")).to_have_text("5")
    expect(table.locator("tr[data-code='5.10']").get_by_test_id("flag")).to_contain_text("vượt điểm tối đa 5")
    expect(table.locator("tr[data-code='6.20']").get_by_test_id("flag")).to_contain_text("“6.2”")
    expect(table.locator("tr[data-code='6.11']").get_by_test_id("points")).to_have_text("8,174")
    page.locator("#chi-so-5\\.10").scroll_into_view_if_needed()
    shot(page, "analysis-defects")
    snapshot("analysis")

    page.get_by_role("link", name="Sửa thứ hạng").click()
    page.get_by_label("Xếp hạng chung").fill("64")
    page.get_by_label("Hạng trụ cột 3").fill("0")
    page.get_by_role("button", name="Lưu").click()
    errors = page.get_by_test_id("form-errors")
    expect(errors).to_contain_text("hạng 64 lớn hơn số tỉnh, thành phố được xếp hạng (63)")
    expect(errors).to_contain_text("hạng phải từ 1 trở lên")
    shot(page, "edit-refused")
    page.get_by_label("Xếp hạng chung").fill("35")
    page.get_by_label("Hạng trụ cột 3").fill("35")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("overall-rank")).to_have_text("35/63")


def test_the_results_pages_have_no_wcag_violation_and_fit_a_phone(national, page, login):
    from tests.e2e.test_accessibility import audit

    login("a.quantri")
    problems: list[str] = []
    for path in ("/tinh-a/dti-cap-tinh/", "/tinh-a/dti-cap-tinh/ket-qua/2021/phan-tich/",
                 "/tinh-a/dti-cap-tinh/ket-qua/2021/", "/tinh-a/dti-cap-tinh/ket-qua/2021/sua/",
                 "/tinh-a/dti-cap-tinh/ket-qua/2021/tinh-khac/", "/tinh-a/dti-cap-tinh/ket-qua/nhap/"):
        page.set_viewport_size({"width": 1366, "height": 768})
        audit(page, path, problems)
        page.set_viewport_size({"width": 390, "height": 844})
        audit(page, path, problems)
    assert not problems, "\n".join(problems)

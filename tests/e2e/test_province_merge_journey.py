"""The platform admin merges province A into province B from the platform page (issue 13): a wrong date is
refused in Vietnamese and nothing changes; the merger asks for confirmation, then the province table says
"đã hợp nhất vào". A's former admin then opens an old /tinh-a/… address and lands on /tinh-b/… with A's data."""

import re
from pathlib import Path

from django_scopes import scopes_disabled
from playwright.sync_api import expect

from dti_portal.tenancy.models import Province
from tests.national.results_fixtures import national  # noqa: F401  (fixture: A's 2021 result, 36/63)

SHOTS = Path("/work/notes/shots")


def shot(page, name, full_page=True):
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"natl-{name}.png"), full_page=full_page)


def test_the_platform_admin_merges_a_province_and_its_old_addresses_lead_to_its_data(national, page, login):
    page.set_viewport_size({"width": 1366, "height": 768})
    login("quantri")
    page.goto("/he-thong/")
    page.get_by_role("link", name="Hợp nhất một tỉnh vào tỉnh khác…").click()
    expect(page.get_by_role("heading", name="Hợp nhất một tỉnh vào tỉnh khác")).to_be_visible()

    page.get_by_label("Tỉnh được hợp nhất (tỉnh cũ)").select_option(label="Tỉnh A")
    page.get_by_label("Hợp nhất vào tỉnh").select_option(label="Tỉnh B")
    page.get_by_label("Từ ngày").fill("31/02/2025")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Hợp nhất").click()
    expect(page.get_by_text("Ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy, ví dụ 01/07/2025.")).to_be_visible()
    expect(page.get_by_label("Tỉnh được hợp nhất (tỉnh cũ)")).to_have_value(str(national.province_a.pk))  # kept
    shot(page, "merge-error")
    with scopes_disabled():
        assert Province.objects.get(pk=national.province_a.pk).merged_into_id is None

    page.get_by_label("Từ ngày").fill("01/07/2025")
    page.get_by_role("button", name="Hợp nhất").click()
    expect(page).to_have_url(re.compile(r"/he-thong/$"))
    assert dialogs == ["Hợp nhất tỉnh không hoàn tác được. Tiếp tục?"] * 2  # asked before each submission
    expect(page.get_by_text("Đã hợp nhất Tỉnh A vào Tỉnh B từ ngày 01/07/2025")).to_be_visible()
    row = page.locator("tr", has=page.locator("code", has_text=re.compile(r"^tinh-a$")))
    expect(row).to_contain_text("đã hợp nhất vào Tỉnh B từ 01/07/2025")
    shot(page, "merge-done")
    with scopes_disabled():
        a = Province.objects.get(pk=national.province_a.pk)
        assert (a.merged_into_id, a.is_active) == (national.province_b.pk, False)

    page.context.clear_cookies()
    login("a.quantri")
    page.goto("/tinh-a/dti-cap-tinh/ket-qua/2021/phan-tich/")
    expect(page).to_have_url(re.compile(r"/tinh-b/dti-cap-tinh/ket-qua/2021/phan-tich/\?tinh=tinh-a$"))
    expect(page.get_by_test_id("result-title")).to_have_text("Phân tích Chỉ số DTI cấp tỉnh năm 2021 – Tỉnh A")
    expect(page.get_by_test_id("overall-rank")).to_have_text("36/63")
    expect(page.get_by_test_id("predecessor-note")).to_contain_text("hợp nhất vào Tỉnh B từ 01/07/2025")
    expect(page.get_by_role("link", name="Sửa thứ hạng")).to_have_count(0)
    shot(page, "old-url", full_page=False)

    page.goto("/tinh-a/dti-cap-tinh/")
    expect(page).to_have_url(re.compile(r"/tinh-b/dti-cap-tinh/$"))
    year = page.get_by_test_id("results-list").locator("tr[data-province='tinh-a'][data-year='2021']")
    expect(year).to_contain_text("Tỉnh A, 2021")
    expect(year).to_contain_text("36/63")
    shot(page, "national-home")

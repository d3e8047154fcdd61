import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    "persona, path, heading",
    [
        ("admin_a", r"/tinh-a/quan-tri/$", "Quản trị cấp tỉnh"),
        ("officer_a1", r"/tinh-a/don-vi/\d+/$", "Sở Y tế"),
        ("appraiser_a", r"/tinh-a/tham-dinh/$", "Tổ thẩm định"),
        ("lead_a", r"/tinh-a/tham-dinh/to-truong/$", "Tổ trưởng Tổ thẩm định"),
        ("leader_a", r"/tinh-a/lanh-dao/$", "Lãnh đạo"),
        ("platform_admin", r"/he-thong/$", "Quản trị hệ thống"),
    ],
    ids=["province_admin", "unit_officer", "appraiser", "appraisal_lead", "leadership", "platform_admin"],
)
def test_each_role_logs_in_and_sees_its_home(world, page, login, snapshot, persona, path, heading):
    login(getattr(world, persona).username)
    expect(page).to_have_url(re.compile(path))
    expect(page.locator("h1")).to_contain_text(heading)
    expect(page.get_by_test_id("user-name")).to_be_visible()
    snapshot()


def test_a_unit_officer_sees_their_unit_but_not_another(world, page, login, snapshot):
    login("a.canbo1")
    expect(page.get_by_test_id("unit-name")).to_have_text("Sở Y tế")
    page.goto(f"/tinh-a/don-vi/{world.unit_a2.pk}/")
    expect(page.locator("h1")).to_have_text("Không tìm thấy trang")
    expect(page.locator("body")).not_to_contain_text("Krông Pắc")
    page.goto("/tinh-b/")
    expect(page.locator("h1")).to_have_text("Không tìm thấy trang")
    snapshot()


def test_a_wrong_password_is_explained_and_repeated_failures_lock_the_login(world, page, login, snapshot):
    login("a.quantri", "sai-mat-khau")
    expect(page.locator(".alert-danger")).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng")
    for _ in range(4):
        login("a.quantri", "sai-mat-khau")
    expect(page.get_by_test_id("lockout")).to_contain_text("Vui lòng thử lại sau 15 phút")
    snapshot()


def test_the_public_home_lists_the_provinces_and_logout_returns_there(world, page, login):
    page.goto("/")
    expect(page.get_by_test_id("province-list")).to_contain_text("Tỉnh A")
    expect(page.get_by_test_id("province-list")).to_contain_text("Tỉnh B")
    login("a.lanhdao")
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("link", name="Đăng nhập").first).to_be_visible()


def test_a_province_admin_adds_a_unit_after_fixing_a_bad_date(world, page, login, snapshot):
    login("a.quantri")
    page.get_by_role("link", name="Thêm đơn vị").click()
    page.get_by_label("Loại đơn vị").select_option(label="Sở, ban, ngành")
    page.get_by_label("Tên đơn vị").fill("Sở Khoa học và Công nghệ")
    page.get_by_label("Hiệu lực từ").fill("31/02/2025")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("Ngày không hợp lệ")
    expect(page.get_by_label("Tên đơn vị")).to_have_value("Sở Khoa học và Công nghệ")
    snapshot("-error")
    page.get_by_label("Hiệu lực từ").fill("01/03/2025")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("unit-name")).to_have_text("Sở Khoa học và Công nghệ")
    expect(page.locator("main")).to_contain_text("từ 01/03/2025")
    page.get_by_label("Tên gọi khác").fill("Sở KH&CN")
    page.get_by_role("button", name="Thêm").click()
    expect(page.get_by_test_id("aliases")).to_contain_text("Sở KH&CN")
    snapshot()


def test_a_person_with_roles_in_two_provinces_chooses_one(world, page, login, snapshot):
    from django_scopes import scopes_disabled

    from dti_portal.accounts.models import Membership, Role

    with scopes_disabled():
        Membership.objects.create(user=world.appraiser_a, province=world.province_b, role=Role.APPRAISER)
    login("a.thamdinh")
    choices = page.get_by_test_id("role-choices")
    expect(choices).to_contain_text("Tỉnh A")
    expect(choices).to_contain_text("Tỉnh B")
    snapshot()
    choices.get_by_text("Tỉnh B").click()
    expect(page.get_by_test_id("province-name")).to_have_text("Tỉnh B")

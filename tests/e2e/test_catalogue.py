import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

GOOD = (
    "code,name,max_points,rule,params\n"
    "1,Nhận thức số,20,,\n"
    "1.1,Có chuyên mục chuyển đổi số trên cổng thông tin,10,,\n"
    '1.2,Văn bản chỉ đạo về chuyển đổi số,10,count,"{""per_item"": 2}"\n'
    "2,Tỷ lệ hồ sơ xử lý trực tuyến,10,,\n"
)
BAD = "code,name,max_points\n1,Nhận thức số,20\n1.1,Con,25\n1.1,Trùng,5\n"


def _upload(page, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    page.goto("/tinh-a/bo-chi-so/nhap/")
    page.get_by_label("Tệp bộ chỉ số (.xlsx hoặc .csv)").set_input_files(str(path))
    page.get_by_label("Tên bộ chỉ số").fill("Bộ chỉ số sở 2026")
    page.get_by_label("Năm đánh giá").fill("2026")
    page.get_by_label("Áp dụng cho loại đơn vị").select_option(label="Sở, ban, ngành")
    page.get_by_role("button", name="Kiểm tra tệp").click()


def test_an_admin_imports_a_catalogue_after_a_refused_file_then_everyone_browses_it(
    world, page, login, snapshot, tmp_path, browser, live_server
):
    login("a.quantri")
    _upload(page, tmp_path, "sai.csv", BAD)
    problems = page.get_by_test_id("import-problems")
    expect(problems).to_contain_text("Dòng 4, mã “1.1”: mã bị trùng với dòng 3.")
    expect(problems).to_contain_text("điểm tối đa 25 lớn hơn điểm tối đa 20 của chỉ tiêu cha “1”")
    snapshot("-refused")

    _upload(page, tmp_path, "dung.csv", GOOD)
    expect(page.get_by_test_id("preview-ok")).to_contain_text("4 chỉ tiêu sẽ được nhập")
    snapshot("-preview")
    page.get_by_role("button", name="Xác nhận nhập").click()
    expect(page.get_by_test_id("framework-name")).to_have_text("Bộ chỉ số sở 2026")
    expect(page.get_by_test_id("max-total")).to_have_text("30")
    expect(page.get_by_test_id("tree")).to_contain_text("2 điểm cho mỗi đơn vị đếm")
    url = page.url

    # A unit officer browses and searches the same catalogue read-only.
    officer = browser.new_context(base_url=live_server.url).new_page()
    officer.goto("/dang-nhap/")
    officer.get_by_label("Tên đăng nhập").fill("a.canbo1")
    officer.get_by_label("Mật khẩu").fill("Mat-khau-thu-2026")
    officer.get_by_role("button", name="Đăng nhập").click()
    officer.goto(url)
    expect(officer.get_by_role("link", name="sửa")).to_have_count(0)
    officer.get_by_placeholder("Tìm theo mã, tên, hướng dẫn…").fill("tỷ lệ")
    officer.get_by_role("button", name="Tìm").click()
    expect(officer.get_by_test_id("match-count")).to_have_text("1 chỉ tiêu khớp “tỷ lệ”.")
    expect(officer.locator("[data-code='1.1']")).to_have_count(0)
    officer.context.close()
    snapshot()


def test_the_tree_folds_and_unfolds(world, page, login, tmp_path):
    login("a.quantri")
    _upload(page, tmp_path, "dung.csv", GOOD)
    page.get_by_role("button", name="Xác nhận nhập").click()
    child = page.locator("[data-code='1.1']")
    expect(child).to_be_visible()
    page.locator("[data-code='1'] > details > summary").click()
    expect(child).to_be_hidden()
    page.locator("[data-code='1'] > details > summary").click()
    expect(child).to_be_visible()


def test_an_admin_is_told_why_an_indicator_is_refused(world, page, login, snapshot, tmp_path):
    login("a.quantri")
    _upload(page, tmp_path, "dung.csv", GOOD)
    page.get_by_role("button", name="Xác nhận nhập").click()
    page.get_by_role("link", name="Thêm chỉ tiêu").click()
    page.get_by_label("Mã").fill("3")
    page.get_by_label("Tên chỉ tiêu").fill("Số cuộc họp Ban chỉ đạo")
    page.get_by_label("Điểm tối đa").fill("20")
    page.get_by_label("Cách tính điểm").select_option("steps")
    page.get_by_label("Tham số").fill('{"steps": [{"min": 1, "points": 5}, {"min": 4, "points": 25}]}')
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".alert-danger")).to_contain_text("vượt điểm tối đa")
    expect(page.get_by_label("Tên chỉ tiêu")).to_have_value("Số cuộc họp Ban chỉ đạo")
    snapshot()
    page.get_by_label("Tham số").fill('{"steps": [{"min": 1, "points": 5}, {"min": 4, "points": 20}]}')
    page.get_by_role("button", name="Lưu").click()
    expect(page).to_have_url(re.compile(r"/bo-chi-so/\d+/$"))
    expect(page.locator("[data-code='3']")).to_contain_text("từ 4: 20 điểm")

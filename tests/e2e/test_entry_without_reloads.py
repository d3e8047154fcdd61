"""Browser journey: an officer fills a 100-criterion catalogue without a single full page reload
(htmx saves, "Lưu cả nhóm", upload with progress), is warned when leaving with unsaved changes,
comes back, and meets a stale save made stale by another tab."""

import time

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from assessments.models import Answer, Assessment
from tests.assessments.conftest import build_framework, open_period
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e


@pytest.fixture
def big(world):
    """An open period whose framework has 104 criteria to answer (1.1 yes/no, 1.2 ratio, 1.3 count, 100 manual, 2 manual)."""
    period = open_period(world, world.province_a, build_framework(world.province_a, extra_leaves=100))
    with scopes_disabled():
        return Assessment.objects.select_related("framework").get(period=period)


def _stored(big, code):
    with scopes_disabled():
        answer = Answer.objects.filter(assessment=big, indicator__code=code).first()
        return answer.inputs if answer else None


def _shot(page, name):
    """The visible part only: the whole 104-criterion page is too tall to photograph quickly."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"entry-without-reloads-{name}.png")


def _card(page, code):
    return page.locator(f".entry-item[data-code='{code}']")


def test_an_officer_fills_a_hundred_criteria_without_a_page_reload(world, big, page, login, snapshot, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 768})
    login("a.canbo1")
    page.goto(f"/tinh-a/tu-danh-gia/{big.pk}/")
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    page.evaluate("window.__sameDocument = 'vẫn trang cũ'")
    expect(page.get_by_test_id("progress")).to_contain_text("Đã trả lời 0/104 chỉ tiêu")

    # One card: the ratio, typed the Vietnamese way, saved in place and echoed as read.
    card = _card(page, "1.2")
    card.get_by_label("Tử số (a)").fill("850")
    card.get_by_label("Mẫu số (b)").fill("1.000")
    card.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("score-1.2")).to_have_text("8,5 / 10 điểm")
    expect(page.get_by_test_id("echo-1.2")).to_have_text("Đã đọc: Tử số (a) = 850; Mẫu số (b) = 1.000")
    expect(page.get_by_test_id("grand-total")).to_have_text("8,5")
    expect(page.get_by_test_id("subtotal-1")).to_contain_text("8,5 /")

    # A number that could mean two things is refused on the card, with how to write it; nothing is lost.
    card = _card(page, "1.3")
    card.get_by_label("Số lượng").fill("1.5")
    card.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("notice-1.3")).to_contain_text("viết số thập phân bằng dấu phẩy (1,5)")
    expect(_card(page, "1.3").get_by_label("Số lượng")).to_have_value("1.5")
    assert _stored(big, "1.3") is None
    _card(page, "1.3").get_by_label("Số lượng").fill("3")
    _card(page, "1.3").get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("score-1.3")).to_have_text("6 / 10 điểm")

    # The hundred manual criteria: typed one after the other with Enter (points, note, next card),
    # then saved at once with "Lưu cả nhóm".
    _card(page, "1.1").get_by_label("Có", exact=True).check()
    first = _card(page, "1.4").get_by_label("Điểm chấm")
    first.focus()
    for n in range(100):
        page.keyboard.type("1")
        page.keyboard.press("Enter")  # to the note
        page.keyboard.press("Enter")  # to the next card's points
    assert page.evaluate("document.activeElement.id") == _card(page, "2").get_by_label("Điểm chấm").get_attribute("id")
    expect(_card(page, "1.103").get_by_label("Điểm chấm")).to_have_value("1")
    group_save = page.get_by_test_id("group-save-1")
    expect(group_save).to_have_text("Lưu cả nhóm (101)")  # 1.1 and the hundred
    _shot(page, "typed")
    started = time.monotonic()
    group_save.click()
    expect(page.get_by_test_id("group-status")).to_have_text("Đã lưu 101 chỉ tiêu.", timeout=30_000)
    print(f"Lưu cả nhóm, 101 criteria: {time.monotonic() - started:.1f} s")
    expect(page.get_by_test_id("progress")).to_contain_text("Đã trả lời 103/104 chỉ tiêu")
    expect(page.get_by_test_id("score-1.77")).to_have_text("1 / 1 điểm")
    expect(group_save).to_be_hidden()
    assert _stored(big, "1.50") == {"points": "1"}

    # Evidence for 1.1 through htmx, with its progress events.
    page.evaluate("document.body.addEventListener('htmx:xhr:progress', () => window.__progress = (window.__progress || 0) + 1)")
    scan = tmp_path / "Quyết định.pdf"
    scan.write_bytes(b"%PDF-1.4\n" + b"0" * 300_000 + b"\n%%EOF\n")
    upload = _card(page, "1.1").locator("form.evidence-upload")
    upload.locator("input[type=file]").set_input_files(str(scan))
    upload.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_test_id("evidence-1.1").get_by_role("link", name="Quyết định.pdf", exact=True)).to_be_visible()
    assert page.evaluate("window.__progress") >= 1

    # An empty file: the message stays when "Tải lên" is pressed, and nothing is sent.
    empty = tmp_path / "rong.pdf"
    empty.write_bytes(b"")
    upload = _card(page, "2").locator("form.evidence-upload")
    upload.locator("input[type=file]").set_input_files(str(empty))
    expect(_card(page, "2").locator(".upload-error")).to_contain_text("rỗng (0 byte)")
    upload.get_by_role("button", name="Tải lên").click()
    expect(_card(page, "2").locator(".upload-error")).to_contain_text("rỗng (0 byte)")

    # The last criterion, and still the same document: no full page load since the start.
    _card(page, "2").get_by_label("Điểm chấm").fill("7")
    _card(page, "2").get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("progress")).to_contain_text("Đã trả lời 104/104 chỉ tiêu")
    assert page.evaluate("window.__sameDocument") == "vẫn trang cũ"
    assert navigations == []
    _shot(page, "filled")

    # Leaving with an unsaved change warns; staying keeps it; leaving anyway loses only it.
    _card(page, "2").get_by_label("Điểm chấm").fill("9")
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    page.get_by_role("link", name="Lịch sử thay đổi").click(no_wait_after=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.evaluate("window.__sameDocument") == "vẫn trang cũ"
    expect(_card(page, "2").get_by_label("Điểm chấm")).to_have_value("9")
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.get_by_role("link", name="Lịch sử thay đổi").click()
    page.wait_for_url("**/lich-su/")
    assert dialogs == ["beforeunload", "beforeunload"]
    page.go_back()
    expect(_card(page, "2").get_by_label("Điểm chấm")).to_have_value("7")
    expect(page.get_by_test_id("grand-total")).to_have_text("131,5")


def test_a_save_made_stale_by_another_tab_overwrites_nothing(world, big, page, login, snapshot):
    page.set_viewport_size({"width": 1366, "height": 768})
    login("a.canbo1")
    page.goto(f"/tinh-a/tu-danh-gia/{big.pk}/")
    other = page.context.new_page()
    other.goto(f"/tinh-a/tu-danh-gia/{big.pk}/")
    _card(other, "2").get_by_label("Điểm chấm").fill("4")
    _card(other, "2").get_by_role("button", name="Lưu").click()
    expect(other.get_by_test_id("score-2")).to_have_text("4 / 10 điểm")
    other.close()

    card = _card(page, "2")
    card.get_by_label("Điểm chấm").fill("9")
    card.get_by_role("button", name="Lưu").click()
    notice = page.get_by_test_id("notice-2")
    expect(notice).to_contain_text("vừa được lưu ở nơi khác")
    expect(notice).to_contain_text("Bạn đã nhập: Điểm chấm = 9")
    expect(_card(page, "2").get_by_label("Điểm chấm")).to_have_value("4")  # the stored value, refreshed
    expect(page.get_by_test_id("score-2")).to_have_text("4 / 10 điểm")
    assert _stored(big, "2") == {"points": "4"}
    _shot(page, "stale")
    # Saved again from the refreshed card, it goes through.
    _card(page, "2").get_by_label("Điểm chấm").fill("9")
    _card(page, "2").get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("score-2")).to_have_text("9 / 10 điểm")
    assert _stored(big, "2") == {"points": "9"}


def test_without_javascript_every_form_still_works_with_page_reloads(world, big, browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("a.canbo1")
    page.get_by_label("Mật khẩu").fill("Mat-khau-thu-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"/tinh-a/tu-danh-gia/{big.pk}/")
    expect(page.get_by_test_id("group-save-1")).to_be_hidden()  # "Lưu cả nhóm" needs JavaScript; each card saves alone
    card = _card(page, "1.2")
    card.get_by_label("Tử số (a)").fill("2.000")
    card.get_by_label("Mẫu số (b)").fill("2.500")
    card.get_by_role("button", name="Lưu").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu chỉ tiêu 1.2. Đã đọc: Tử số (a) = 2.000; Mẫu số (b) = 2.500.")
    expect(page.get_by_test_id("score-1.2")).to_have_text("8 / 10 điểm")
    card = _card(page, "1.3")
    card.get_by_label("Số lượng").fill("1.5")
    card.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("notice-1.3")).to_contain_text("viết số thập phân bằng dấu phẩy (1,5)")
    expect(_card(page, "1.3").get_by_label("Số lượng")).to_have_value("1.5")
    context.close()

"""The offline workbook: an officer downloads the unit's workbook, fills it, uploads it, reviews the
preview and confirms; every bad file or cell is refused with a Vietnamese message."""

import io
import zipfile
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from assessments import workbook
from assessments.models import Answer, Assessment, Period
from dti_portal.audit.models import Entry
from assessments.services import answer_save, assessment_submit, period_open, period_save
from assessments.workbook import DATA_SHEET, META_SHEET, WorkbookRefused, read_workbook, render_workbook, workbook_layout
from dti_portal.tenancy import services as tenancy_services
from indicators.models import Framework
from indicators.services import FrameworkMeta, framework_create
from tests.assessments.conftest import node, open_period
from tests.conftest import make_user

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def build_catalogue(province, extra: int = 0):
    """Every kind of input: 1 (group) = 1.1 yes/no, 1.2 choice, 1.3 checklist, 1.4 ratio; 2 count;
    3 steps; 4 manual; 5 collected; `extra` more manual leaves under group 6."""
    with scopes_disabled():
        kind = province.unit_kinds.get(code="so")
    with scope(province=province):
        fw = framework_create(actor=None, province=province, meta=FrameworkMeta(name="Bộ chỉ số thử", year=2025, unit_kind=kind))
        root = node(fw, "1", "Chính quyền số", 40, "sum")
        node(fw, "1.1", "Có chuyên mục chuyển đổi số", 10, "yes_no", parent=root, guidance="Xem cổng thông tin.")
        node(fw, "1.2", "Trưởng ban chỉ đạo", 10, "choice", {"options": [
            {"label": "Chủ tịch", "fraction": 1}, {"label": "Phó chủ tịch, thường trực", "fraction": 0.5},
            {"label": "Không có", "points": 0}]}, parent=root)
        node(fw, "1.3", "Tham dự hội nghị", 10, "checklist", {"items": [
            {"label": "Dự họp của tỉnh", "points": 5}, {"label": "Chủ trì họp của đơn vị", "points": 5}]}, parent=root)
        node(fw, "1.4", "Tỷ lệ hồ sơ trực tuyến", 10, "ratio", parent=root, evidence_required="Báo cáo")
        node(fw, "2", "Số văn bản chỉ đạo", 10, "count", {"per_item": 2})
        node(fw, "3", "Số cuộc họp", 20, "steps", {"steps": [{"min": 4, "points": 20}, {"min": 2, "points": 10}]})
        node(fw, "4", "Đơn vị tự chấm", 10, "manual")
        node(fw, "5", "Số máy chủ", 0, "collected")
        if extra:
            group = node(fw, "6", "Chỉ tiêu thêm", extra, "sum")
            for n in range(extra):
                node(fw, f"6.{n + 1}", f"Chỉ tiêu thêm {n + 1}", 1, "manual", parent=group)
        fw.status = Framework.Status.ACTIVE
        fw.save()
    return fw


@pytest.fixture
def setup(world):
    """Two sở of province A in an open period: Sở Y tế (officer a.canbo1) and Sở Tài chính (a.canbo3)."""
    from dti_portal.accounts.models import Membership, Role

    with scopes_disabled():
        kind = world.province_a.unit_kinds.get(code="so")
        world.unit_a3 = tenancy_services.unit_create(actor=None, province=world.province_a, kind=kind, name="Sở Tài chính")
        world.officer_a3 = make_user("a.canbo3")
        Membership.objects.create(user=world.officer_a3, province=world.province_a, role=Role.UNIT_OFFICER, unit=world.unit_a3)
    framework = build_catalogue(world.province_a)
    period = open_period(world, world.province_a, framework)
    with scopes_disabled():
        world.framework = framework
        world.assessment = Assessment.objects.select_related("period", "unit", "framework").get(period=period, unit=world.unit_a1)
        world.other = Assessment.objects.select_related("period", "unit", "framework").get(period=period, unit=world.unit_a3)
        world.ind = {i.code: i for i in framework.indicators.all()}
    return world


def url(name, assessment, **extra):
    return reverse(f"assessments:{name}", kwargs={"province": "tinh-a", "assessment_id": assessment.pk, **extra})


def download(client, assessment) -> bytes:
    response = client.get(url("workbook_download", assessment))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    return response.content


def rows_by_code(sheet) -> dict:
    return {row[0].value: row for row in sheet.iter_rows(min_row=workbook.FIRST_ROW)}


def set_input(sheet, code, label, value):
    """Fill the value cell next to the input labelled `label` in the row of `code`."""
    row = rows_by_code(sheet)[code]
    for n, cell in enumerate(row):
        if cell.value == label and sheet.cell(workbook.HEADER_ROW, cell.column).value.startswith("Nội dung"):
            row[n + 1].value = value
            return
    raise AssertionError(f"no input {label} in row {code}")


def filled(content: bytes, values: dict, edit=None) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book[DATA_SHEET]
    for code, inputs in values.items():
        for label, value in inputs.items():
            if label == "Ghi chú":
                rows_by_code(sheet)[code][len(workbook.FIXED) + 2 * workbook_width(sheet)].value = value
            else:
                set_input(sheet, code, label, value)
    if edit:
        edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_width(sheet) -> int:
    return sum(1 for cell in sheet[workbook.HEADER_ROW] if str(cell.value).startswith("Nội dung"))


def upload(client, assessment, content: bytes, name="bang-tinh.xlsx"):
    return client.post(url("workbook_upload", assessment), {"file": SimpleUploadedFile(name, content, XLSX_TYPE)})


def read(assessment, content: bytes):
    with scope(province=assessment.period.province):
        return read_workbook(SimpleUploadedFile("b.xlsx", content), workbook_layout(assessment))


def export(assessment) -> bytes:
    with scope(province=assessment.period.province):
        return render_workbook(workbook_layout(assessment))


# --- the exported workbook -------------------------------------------------------------------
def test_the_workbook_has_one_row_per_indicator_with_the_rule_in_words_and_current_values(setup, client_as):
    with scope(province=setup.province_a):
        answer_save(assessment=setup.assessment, indicator=setup.ind["1.4"], inputs={"a": "41,6", "b": "100"}, note="đã đối chiếu",
                    actor=setup.officer_a1)
        answer_save(assessment=setup.assessment, indicator=setup.ind["1.3"], inputs={"ticked": ["Dự họp của tỉnh"]}, note="",
                    actor=setup.officer_a1)
    book = openpyxl.load_workbook(io.BytesIO(download(client_as(setup.officer_a1), setup.assessment)))
    assert book.sheetnames == [DATA_SHEET, META_SHEET]
    assert book[META_SHEET].sheet_state == "veryHidden"
    sheet = book[DATA_SHEET]
    assert sheet["A1"].value == "Bảng tính nhập liệu – Sở Y tế – Kỳ đánh giá 2025"
    header = [c.value for c in sheet[2]]
    assert header[:5] == ["Mã", "Chỉ tiêu", "Điểm tối đa", "Cách tính điểm", "Hướng dẫn, tài liệu kiểm chứng"]
    rows = rows_by_code(sheet)
    assert list(rows) == ["1", "1.1", "1.2", "1.3", "1.4", "2", "3", "4", "5"]
    ratio = [c.value for c in rows["1.4"]]
    assert ratio[:3] == ["1.4", "Tỷ lệ hồ sơ trực tuyến", 10]  # numbers as numbers where nothing is typed
    assert ratio[3].startswith("Tỷ lệ")
    assert "Tài liệu kiểm chứng: Báo cáo" in ratio[4]
    assert ratio[5:9] == ["Tử số (a)", "41,6", "Mẫu số (b)", "100"]  # numbers as the officer writes them
    assert "đã đối chiếu" in ratio and 4.16 in ratio
    steps = [c.value for c in rows["3"]]
    assert "từ 4: 20 điểm" in steps[3]
    checklist = [c.value for c in rows["1.3"]]
    assert checklist[5:9] == ["Dự họp của tỉnh", "Có", "Chủ trì họp của đơn vị", "Không"]
    # Locked except the inputs and the note; drop-down lists for choices and yes/no.
    assert sheet.protection.sheet
    assert rows["1.4"][0].protection.locked and rows["1.4"][5].protection.locked
    assert not rows["1.4"][6].protection.locked and rows["1.4"][6].number_format == "@"
    assert rows["1"][6].protection.locked  # a group has no inputs
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    yes_no_cell = rows["1.1"][6].coordinate
    choice_cell = rows["1.2"][6].coordinate
    formula = next(f for ref, f in lists.items() if yes_no_cell in ref.split())
    listed = book[META_SHEET][formula.split("!")[1].replace("$", "").split(":")[0][1:]]
    assert [c.value for c in listed if c.value] == ["Có", "Không"]
    formula = next(f for ref, f in lists.items() if choice_cell in ref.split())
    row = int(formula.split("$")[-1])
    assert [c.value for c in book[META_SHEET][row] if c.value] == ["Chủ tịch", "Phó chủ tịch, thường trực", "Không có"]


def test_the_download_reads_a_fixed_number_of_queries_whatever_the_size(world, client_as):
    counts = []
    for extra in (5, 60):
        framework = build_catalogue(world.province_a, extra=extra)
        period = open_period(world, world.province_a, framework)
        with scopes_disabled():
            assessment = Assessment.objects.get(period=period, unit=world.unit_a1)
        client = client_as(world.officer_a1)
        with CaptureQueriesContext(connection) as queries:
            download(client, assessment)
        counts.append(len(queries))
        with scope(province=world.province_a):
            period.status = Period.Status.CLOSED
            period.save()
    assert counts[0] == counts[1] <= 12, counts


# --- round trip ------------------------------------------------------------------------------
def test_a_filled_workbook_is_previewed_then_saved_with_events(setup, client_as):
    client = client_as(setup.officer_a1)
    content = filled(download(client, setup.assessment), {
        "1.1": {"Có/Không": "có"},
        "1.2": {"Lựa chọn": "Phó chủ tịch, thường trực"},
        "1.3": {"Dự họp của tỉnh": "Có", "Chủ trì họp của đơn vị": "Không"},
        "1.4": {"Tử số (a)": "850", "Mẫu số (b)": "1.000", "Ghi chú": "Số liệu quý IV"},
        "2": {"Số lượng": 3},  # a number cell
        "3": {"Giá trị": 41.6},  # a number cell holding 41.6
        "4": {"Điểm chấm": "7,5"},
    })
    response = upload(client, setup.assessment, content)
    assert response.status_code == 200
    page = response.content.decode()
    assert "7</b> chỉ tiêu thay đổi" in page and "<b>0</b> dòng bị từ chối" in page
    changes = {c.indicator.code: c for c in response.context["reading"].changes}
    assert changes["1.4"].new == "Tử số (a): 850 · Mẫu số (b): 1000 · Ghi chú: Số liệu quý IV"
    assert changes["1.4"].new_score == "8,5"
    assert changes["1.2"].new_score == "5" and changes["3"].new_score == "20"
    assert changes["1.3"].new == "Các mục đạt: Dự họp của tỉnh"
    with scopes_disabled():
        assert not Answer.objects.filter(assessment=setup.assessment).exists()  # nothing saved yet

    response = client.post(url("workbook_confirm", setup.assessment), {"token": response.context["token"]})
    assert response.status_code == 302 and response["Location"].endswith(url("entry", setup.assessment))
    with scopes_disabled():
        answers = {a.indicator.code: a for a in Answer.objects.filter(assessment=setup.assessment).select_related("indicator")}
        assert answers["1.4"].inputs == {"a": "850", "b": "1000"} and answers["1.4"].note == "Số liệu quý IV"
        assert str(answers["1.4"].self_score) == "8.5000"
        assert answers["3"].inputs == {"value": "41,6"}
        assert answers["1.3"].inputs == {"ticked": ["Dự họp của tỉnh"]}
        assert Entry.objects.filter(assessment=setup.assessment, action="answer.saved").count() == 7
        setup.assessment.refresh_from_db()
        assert setup.assessment.self_total is not None

    # The same workbook downloaded again and uploaded as it is: nothing changes.
    response = upload(client, setup.assessment, download(client, setup.assessment))
    assert response.context["reading"].changes == [] and response.context["reading"].unchanged == 8
    assert "không có thay đổi nào" in response.content.decode()


def test_a_change_shows_the_old_value_and_score_beside_the_new(setup, client_as):
    with scope(province=setup.province_a):
        answer_save(assessment=setup.assessment, indicator=setup.ind["2"], inputs={"count": "2"}, note="", actor=setup.officer_a1)
    client = client_as(setup.officer_a1)
    response = upload(client, setup.assessment, filled(download(client, setup.assessment), {"2": {"Số lượng": "4"}}))
    change = response.context["reading"].changes[0]
    assert (change.row, change.old, change.new, change.old_score, change.new_score) == (8, "Số lượng: 2", "Số lượng: 4", "4", "8")
    assert "4 → <b>8</b>" in response.content.decode()


# --- refusals in rows: listed with their row, nothing can be confirmed -------------------------
def test_a_number_written_with_a_decimal_point_is_refused_with_how_to_write_it(setup):
    reading = read(setup.assessment, filled(export(setup.assessment), {"1.4": {"Tử số (a)": "41.6", "Mẫu số (b)": "100"},
                                                                     "3": {"Giá trị": "1.5"}}))
    messages = {r.code: (r.row, r.message) for r in reading.refusals}
    assert messages["1.4"][0] == 7 and "“41.6”" in messages["1.4"][1] and "dấu phẩy" in messages["1.4"][1]
    assert messages["3"][0] == 9 and "“1.5”" in messages["3"][1]
    assert reading.changes == []


def test_a_changed_code_column_is_refused(setup):
    def edit(book):
        rows_by_code(book[DATA_SHEET])["1.4"][0].value = "1.5"

    reading = read(setup.assessment, filled(export(setup.assessment), {"1.4": {"Tử số (a)": "4", "Mẫu số (b)": "10"}}, edit))
    assert [(r.row, r.code) for r in reading.refusals] == [(7, "1.4")]
    assert "Mã chỉ tiêu đã bị sửa thành “1.5” (phải là “1.4”)" in reading.refusals[0].message
    assert reading.changes == []


def test_a_formula_in_an_input_cell_is_refused(setup):
    reading = read(setup.assessment, filled(export(setup.assessment), {"2": {"Số lượng": "=1+2"}}))
    assert len(reading.refusals) == 1 and reading.refusals[0].row == 8
    assert reading.refusals[0].message == "Ô ở cột G (Số liệu 1) chứa công thức; hãy nhập giá trị (hoặc dán đặc biệt › chỉ giá trị)."


def test_a_value_outside_the_list_and_a_bad_tick_are_refused(setup):
    reading = read(setup.assessment, filled(export(setup.assessment), {
        "1.2": {"Lựa chọn": "Giám đốc"}, "1.3": {"Dự họp của tỉnh": "rồi"}}))
    messages = {r.code: r.message for r in reading.refusals}
    assert "“Giám đốc” không có trong các lựa chọn" in messages["1.2"]
    assert messages["1.3"] == "Cột G (Số liệu 1): chỉ nhập “Có” hoặc “Không” (đang là “rồi”)."


def test_a_rule_refusal_and_a_cleared_row_are_refused(setup):
    with scope(province=setup.province_a):
        answer_save(assessment=setup.assessment, indicator=setup.ind["2"], inputs={"count": "2"}, note="", actor=setup.officer_a1)
    reading = read(setup.assessment, filled(export(setup.assessment), {
        "1.4": {"Tử số (a)": "12", "Mẫu số (b)": "10"}, "2": {"Số lượng": None}}))
    messages = {r.code: r.message for r in reading.refusals}
    assert "a" in messages["1.4"] and "b" in messages["1.4"]  # the engine's a > b message
    assert "đã bị xoá trống" in messages["2"]


def test_an_extra_row_below_the_indicators_is_refused(setup):
    def edit(book):
        book[DATA_SHEET].cell(20, 1).value = "9.9"

    reading = read(setup.assessment, filled(export(setup.assessment), {}, edit))
    assert [(r.row, r.message) for r in reading.refusals] == [(20, "Dòng thêm ngoài danh sách chỉ tiêu; hãy xoá dòng này.")]


def test_with_one_refusal_nothing_can_be_confirmed(setup, client_as):
    client = client_as(setup.officer_a1)
    content = filled(download(client, setup.assessment), {"2": {"Số lượng": "3"}, "3": {"Giá trị": "41.6"}})
    response = upload(client, setup.assessment, content)
    page = response.content.decode()
    assert "Số lượng: 3" in page  # the changes are shown…
    assert 'data-testid="workbook-confirm"' not in page and not response.context["token"]  # …but cannot be saved
    assert "lưu tất cả hoặc không lưu gì" in page and "<td>9</td>" in page


# --- refusals of the whole file ----------------------------------------------------------------
def refused(client, assessment, content, name="bang-tinh.xlsx") -> str:
    response = upload(client, assessment, content, name)
    assert response.status_code == 400
    return response.context["error"]


def test_an_extra_sheet_is_refused(setup, client_as):
    client = client_as(setup.officer_a1)
    content = filled(download(client, setup.assessment), {}, lambda book: book.create_sheet("Nháp"))
    assert "Bảng tính có thêm trang “Nháp”" in refused(client, setup.assessment, content)


def test_a_file_over_the_limit_is_refused_before_it_is_read(setup, client_as):
    client = client_as(setup.officer_a1)
    error = refused(client, setup.assessment, b"PK" + b"\0" * (21 * 1024 * 1024))
    assert error == "Tệp quá lớn (21,0 MB); bảng tính nhập liệu chỉ được tối đa 5,0 MB."


def test_a_file_that_is_not_xlsx_and_an_empty_file_are_refused(setup, client_as):
    client = client_as(setup.officer_a1)
    assert "không phải bảng tính Excel (.xlsx)" in refused(client, setup.assessment, b"%PDF-1.4 not a workbook")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    assert "không phải bảng tính Excel (.xlsx)" in refused(client, setup.assessment, archive.getvalue(), "tai-lieu.docx")
    assert refused(client, setup.assessment, b"") == "Tệp rỗng (0 byte): hãy chọn bảng tính đã điền số liệu."
    response = client.post(url("workbook_upload", setup.assessment), {})
    assert response.context["error"] == "Hãy chọn tệp bảng tính đã điền số liệu."


def test_a_workbook_of_another_unit_is_refused(setup, client_as):
    theirs = download(client_as(setup.officer_a3), setup.other)
    error = refused(client_as(setup.officer_a1), setup.assessment, filled(theirs, {"2": {"Số lượng": "3"}}))
    assert error == ("Bảng tính này là của đơn vị “Sở Tài chính” (Kỳ đánh giá 2025), không phải của Sở Y tế. "
                     "Hãy tải bảng tính của đơn vị mình.")


def test_a_workbook_of_another_period_is_refused(setup, client_as):
    today = timezone.localdate()
    with scope(province=setup.province_a):
        later = Period(province=setup.province_a, year=2026, name="Kỳ đánh giá 2026",
                       self_assessment_start=today - timedelta(days=1), self_assessment_end=today + timedelta(days=5))
        period_save(period=later, frameworks={setup.framework.unit_kind: setup.framework}, actor=None)
        period_open(period=later, actor=setup.admin_a)
        next_year = Assessment.objects.get(period=later, unit=setup.unit_a1)
    error = refused(client_as(setup.officer_a1), next_year, export(setup.assessment))
    assert error == "Bảng tính này là của kỳ “Kỳ đánh giá 2025”, không phải kỳ “Kỳ đánh giá 2026”. Hãy tải bảng tính của kỳ này."


def test_a_tampered_identity_and_a_changed_header_are_refused(setup):
    def forge(book):
        book[META_SHEET]["A1"].value = book[META_SHEET]["A1"].value[:-3] + "abc"

    with pytest.raises(WorkbookRefused, match="Thông tin nhận dạng của bảng tính bị thiếu hoặc đã bị sửa"):
        read(setup.assessment, filled(export(setup.assessment), {}, forge))

    def rename(book):
        book[DATA_SHEET]["G2"].value = "Số liệu"

    with pytest.raises(WorkbookRefused, match="cột G phải là “Số liệu 1”"):
        read(setup.assessment, filled(export(setup.assessment), {}, rename))


def test_a_submitted_assessment_takes_no_upload(setup, client_as):
    client = client_as(setup.officer_a1)
    content = filled(download(client, setup.assessment), {"2": {"Số lượng": "3"}})
    with scope(province=setup.province_a):
        for code, inputs in [("1.1", {"value": "không"}), ("1.2", {"option": "Chủ tịch"}), ("1.3", {"ticked": []}),
                             ("1.4", {"a": "0", "b": "1"}), ("2", {"count": "1"}), ("3", {"value": "1"}), ("4", {"points": "1"})]:
            answer_save(assessment=setup.assessment, indicator=setup.ind[code], inputs=inputs, note="", actor=setup.officer_a1)
        assessment_submit(assessment=setup.assessment, actor=setup.officer_a1)
    assert "Không tải bảng tính lên được: Đơn vị đã gửi bản tự đánh giá" in client.get(url("workbook_upload", setup.assessment)).content.decode()
    error = refused(client, setup.assessment, content)
    assert error.startswith("Không tải bảng tính lên được: Đơn vị đã gửi bản tự đánh giá")
    with scopes_disabled():
        assert Answer.objects.get(assessment=setup.assessment, indicator=setup.ind["2"]).inputs == {"count": "1"}


# --- the confirmation: signed, fresh, all or nothing ---------------------------------------------
def preview_token(client, assessment, values) -> str:
    return upload(client, assessment, filled(download(client, assessment), values)).context["token"]


def test_a_tampered_or_foreign_preview_saves_nothing(setup, client_as):
    client = client_as(setup.officer_a1)
    token = preview_token(client, setup.assessment, {"2": {"Số lượng": "3"}})
    response = client.post(url("workbook_confirm", setup.assessment), {"token": token[:-2] + "xx"}, follow=True)
    assert "Bản xem trước không hợp lệ; hãy tải bảng tính lên lại." in response.content.decode()
    other = client_as(setup.officer_a3)
    response = other.post(url("workbook_confirm", setup.other), {"token": token}, follow=True)
    assert "Bản xem trước không thuộc bản đánh giá này" in response.content.decode()
    with scopes_disabled():
        assert not Answer.objects.exists()


def test_a_preview_of_answers_changed_since_is_refused(setup, client_as):
    client = client_as(setup.officer_a1)
    token = preview_token(client, setup.assessment, {"2": {"Số lượng": "3"}})
    with scope(province=setup.province_a):
        answer_save(assessment=setup.assessment, indicator=setup.ind["2"], inputs={"count": "5"}, note="", actor=setup.officer_a1)
    response = client.post(url("workbook_confirm", setup.assessment), {"token": token}, follow=True)
    assert "Số liệu đã được sửa ở nơi khác sau khi xem trước" in response.content.decode()
    with scopes_disabled():
        assert Answer.objects.get(indicator=setup.ind["2"]).inputs == {"count": "5"}


def test_a_confirmation_after_the_deadline_saves_nothing(setup, client_as):
    client = client_as(setup.officer_a1)
    token = preview_token(client, setup.assessment, {"2": {"Số lượng": "3"}, "4": {"Điểm chấm": "5"}})
    with scope(province=setup.province_a):
        period = setup.assessment.period
        period.self_assessment_end = timezone.localdate() - timedelta(days=1)
        period.save()
    response = client.post(url("workbook_confirm", setup.assessment), {"token": token}, follow=True)
    assert "Chưa lưu gì: Đã hết hạn tự đánh giá" in response.content.decode()
    with scopes_disabled():
        assert not Answer.objects.exists() and not Entry.objects.filter(action="answer.saved").exists()


def test_only_the_units_officer_uses_the_workbook(setup, client_as):
    assert client_as(setup.admin_a).get(url("workbook_download", setup.assessment)).status_code == 403
    assert client_as(setup.officer_a3).get(url("workbook_download", setup.assessment)).status_code == 404
    assert client_as(setup.officer_a3).get(url("workbook_upload", setup.assessment)).status_code == 404
    assert client_as(setup.officer_a1).get(url("workbook_confirm", setup.assessment)).status_code == 405


def test_the_preview_page_reads_a_fixed_number_of_queries(world, client_as):
    counts = []
    for extra in (5, 60):
        framework = build_catalogue(world.province_a, extra=extra)
        period = open_period(world, world.province_a, framework)
        with scopes_disabled():
            assessment = Assessment.objects.get(period=period, unit=world.unit_a1)
            codes = [f"6.{n + 1}" for n in range(extra)]
        client = client_as(world.officer_a1)
        content = filled(download(client, assessment), {code: {"Điểm chấm": "1"} for code in codes})
        with CaptureQueriesContext(connection) as queries:
            response = upload(client, assessment, content)
        assert len(response.context["reading"].changes) == extra
        counts.append(len(queries))
        with scope(province=world.province_a):
            period.status = Period.Status.CLOSED
            period.save()
    assert counts[0] == counts[1], counts


def test_the_entry_page_links_to_the_workbook_for_the_units_officer_only(setup, client_as):
    page = client_as(setup.officer_a1).get(url("entry", setup.assessment)).content.decode()
    assert url("workbook_download", setup.assessment) in page and url("workbook_upload", setup.assessment) in page
    page = client_as(setup.admin_a).get(url("entry", setup.assessment)).content.decode()
    assert url("workbook_download", setup.assessment) not in page
    with scope(province=setup.province_a):
        period = setup.assessment.period
        period.self_assessment_end = timezone.localdate() - timedelta(days=1)
        period.save()
    page = client_as(setup.officer_a1).get(url("entry", setup.assessment)).content.decode()
    assert url("workbook_download", setup.assessment) in page and url("workbook_upload", setup.assessment) not in page


def test_content_right_of_the_table_is_refused(setup):
    def edit(book):
        sheet = book[DATA_SHEET]
        sheet.cell(2, sheet.max_column + 2).value = "Cột thêm"
        sheet.cell(7, sheet.max_column).value = "ghi nhớ"

    reading = read(setup.assessment, filled(export(setup.assessment), {}, edit))
    messages = [(r.row, r.message) for r in reading.refusals]
    assert messages == [(2, "Có nội dung ngoài bảng, ở cột M; hãy xoá nội dung đó."),  # the table ends at K
                        (7, "Có nội dung ngoài bảng, ở cột M; hãy xoá nội dung đó.")]


def test_the_upload_checks_the_csrf_token(setup):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(setup.officer_a1)
    response = upload(client, setup.assessment, export(setup.assessment))
    assert response.status_code == 403

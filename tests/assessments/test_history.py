"""Readable history: every kind of event has a Vietnamese label and its old → new values are
written the way the pages write them; the page and the CSV say the same; the page's queries do
not grow with the events."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from assessments import appraisal
from dti_portal.audit.actions import ACTIONS
from assessments.history import (
    action_label, csv_cell, describe, inputs_change, input_value, stored_number, typed_number,
)
from assessments.services import answer_save

RATIO = [{"name": "a", "label": "Tử số (a)", "kind": "number"}, {"name": "b", "label": "Mẫu số (b)", "kind": "number"}]
CHOICE = [{"name": "option", "label": "Lựa chọn", "kind": "choice", "choices": ["Chủ tịch", "Phó chủ tịch", "Không có"]}]
CHECKLIST = [{"name": "ticked", "label": "Các mục đạt", "kind": "multi", "choices": ["Dự họp tỉnh", "Chủ trì họp", "Báo cáo"]}]


# --- pure functions --------------------------------------------------------------------------
def test_every_kind_of_event_the_services_write_has_a_vietnamese_label():
    assert action_label("answer.saved") == "Lưu số liệu"
    assert action_label("assessment.round1.adjust") == "Thẩm định lần 1: Điều chỉnh điểm"
    assert action_label("assessment.round2.withdraw") == "Thẩm định lần 2: Rút điều chỉnh (về điểm tự đánh giá)"
    assert action_label("assessment.round1.closed") == "Đóng vòng thẩm định lần 1: sang thẩm định lần 2"
    assert action_label("assessment.reopened") == "Mở lại kết quả"
    assert action_label("something.new") == "something.new"  # an unknown kind is shown, never dropped
    assert all(label and not label.startswith(("assessment.", "answer.")) for label in ACTIONS.values())


def test_numbers_are_written_the_vietnamese_way_whether_typed_or_stored():
    assert typed_number("850") == "850"
    assert typed_number("1.000") == "1.000"  # typed: "." groups thousands
    assert typed_number("2.000,5") == "2.000,5"
    assert typed_number("41,6") == "41,6"
    assert typed_number("1000000") == "1.000.000"
    assert typed_number("41.6") == "41,6"  # stored with a decimal point by an older version
    assert typed_number("abc") == "“abc”" and typed_number("") == "—"
    assert stored_number("12.5") == "12,5" and stored_number("1250") == "1.250" and stored_number(None) == "—"


def test_a_changed_input_reads_old_then_new_and_an_unchanged_one_once():
    assert inputs_change({"a": "850", "b": "1000"}, {"a": "1000", "b": "1000"}, RATIO) == "a 850 → 1.000; b 1.000"
    assert inputs_change({}, {"a": "4", "b": "10"}, RATIO) == "a 4; b 10"  # first entry: the values
    assert inputs_change({"count": "2"}, {"count": "3"}, [{"name": "count", "label": "Số lượng", "kind": "integer"}]) == "2 → 3"


def test_choices_are_shown_by_their_labels_even_when_stored_as_indices():
    assert inputs_change({"option": 1}, {"option": "Chủ tịch"}, CHOICE) == "Phó chủ tịch → Chủ tịch"
    assert inputs_change({"option": "2"}, {"option": 0}, CHOICE) == "Không có → Chủ tịch"
    assert input_value([0, "Báo cáo"], CHECKLIST[0]) == "Dự họp tỉnh, Báo cáo"
    assert input_value("có", {"kind": "bool"}) == "Có" and input_value("không", {"kind": "bool"}) == "Không"


def test_an_answer_saved_says_which_inputs_note_and_score_changed():
    lines = describe("answer.saved", {"inputs": {"a": "850", "b": "1.000"}, "note": "", "self_score": "8.5"},
                     {"inputs": {"a": "1.000", "b": "1.000"}, "note": "Theo báo cáo quý IV", "self_score": "10"}, RATIO)
    assert lines == ["Số liệu: a 850 → 1.000; b 1.000", "Ghi chú: “Theo báo cáo quý IV”", "Điểm tự chấm: 8,5 → 10"]


def test_a_decision_says_its_score_and_adjusted_inputs_and_a_status_change_names_both_states():
    first = describe("assessment.round1.adjust", {}, {"decision": "adjust", "score": "3", "inputs": {"a": "3", "b": "10"},
                                                      "reason": "Chỉ 3 hồ sơ", "version": 1}, RATIO)
    assert first == ["Điểm: 3", "Số liệu điều chỉnh: a 3; b 10"]
    again = describe("assessment.round1.confirm", {"decision": "adjust", "score": "3", "inputs": {}}, {"decision": "confirm", "score": "4.5"})
    assert again == ["Quyết định: Điều chỉnh điểm → Xác nhận", "Điểm: 3 → 4,5"]
    assert describe("assessment.round1.closed", {"status": "round1"}, {"status": "returned"}) == [
        "Trạng thái: Thẩm định lần 1 → Chờ giải trình"]
    assert describe("assessment.reopened", {"status": "final", "signoffs": ["A Thamdinh (01/03/2026 10:00)"]}, {"status": "round2"}) == [
        "Trạng thái: Đã chốt kết quả → Thẩm định lần 2", "Chữ ký bị huỷ: A Thamdinh (01/03/2026 10:00)"]
    assert describe("assessment.published", {"status": "final"}, {"status": "published", "decision": "401/QĐ-UBND"}) == [
        "Trạng thái: Đã chốt kết quả → Đã công bố", "Quyết định công bố: 401/QĐ-UBND"]


def test_files_extensions_copies_and_unknown_kinds_read_as_words():
    assert describe("evidence.added", {}, {"name": "bao-cao.pdf", "size": 2048, "sha256": "ab" * 32}) == [
        "Tệp: bao-cao.pdf (2,0\xa0KB), mã kiểm tra abababababab…"]
    assert describe("assessment.extension", {"until": None}, {"until": "2026-03-15"}) == ["Gia hạn đến: 15/03/2026"]
    assert describe("answers.carried_over", {}, {"year": 2024, "answers": 2, "evidence": 1, "codes": ["1.1", "1.2"]}) == [
        "Từ năm 2024: 2 chỉ tiêu (1.1, 1.2), 1 tài liệu (liên kết tới tệp năm trước)"]
    assert describe("something.new", {"status": "draft", "x": 1}, {"status": "submitted", "x": 2}) == [
        "Trạng thái: Đang nhập liệu → Đã gửi", "x: 1 → 2"]


def test_a_csv_cell_that_a_spreadsheet_would_run_gets_a_leading_apostrophe():
    assert [csv_cell(v) for v in ("=1+2", "+84 912", "-5", "@SUM(A1)", "\tx", "Sở Y tế", "", None, 3)] == [
        "'=1+2", "'+84 912", "'-5", "'@SUM(A1)", "'\tx", "Sở Y tế", "", "", "3"]


# --- the page and the CSV --------------------------------------------------------------------
def _history(client, assessment, suffix="history"):
    return client.get(reverse(f"assessments:{suffix}", kwargs={"province": "tinh-a", "assessment_id": assessment.pk}))


def test_the_history_page_shows_labels_and_formatted_values_not_codes_and_dictionaries(team, assessment, indicators, client_as):
    with scope(province=team.province_a):
        appraisal.review_save(assessment=assessment, indicator=indicators["1.2"], round=1, decision="adjust",
                              reviewer=team.appraiser_a, inputs={"a": "3", "b": "10"}, reason="Chỉ 3 hồ sơ")
    page = _history(client_as(team.officer_a1), assessment).content.decode()
    for text in ("Lưu số liệu", "<div>Số liệu: a 4; b 10</div>", "<div>Điểm tự chấm: — → 4</div>", "Gửi bản tự đánh giá",
                 "<div>Trạng thái: Đang nhập liệu → Đã gửi</div>", "Bắt đầu thẩm định lần 1",
                 "Thẩm định lần 1: Điều chỉnh điểm", "<div>Điểm: 3</div>", "Chỉ 3 hồ sơ", "A Thamdinh", 'class="table table-sm align-top history"'):
        assert text in page, text
    from django.conf import settings
    css = (settings.BASE_DIR / "static" / "css" / "portal.css").read_text(encoding="utf-8")
    assert "table.history { table-layout: fixed;" in css  # fixed columns: long values wrap inside 1366 px
    for raw in ("answer.saved", "assessment.round1", "{&#x27;", "self_score", "&#x27;status&#x27;"):
        assert raw not in page, raw


def test_the_csv_has_the_pages_labels_and_safe_cells(team, assessment, indicators, client_as):
    with scope(province=team.province_a):
        appraisal.review_save(assessment=assessment, indicator=indicators["2"], round=1, decision="adjust",
                              reviewer=team.appraiser2, points="5", reason="=HYPERLINK(\"http://x\")")
    text = _history(client_as(team.lead_a), assessment, "history_csv").content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "Thời gian,Người thực hiện,Chỉ tiêu,Việc,Thay đổi,Lý do / ghi chú"
    assert 'Lưu số liệu,"Số liệu: a 4; b 10\nĐiểm tự chấm: — → 4"' in text.replace("\r\n", "\n")
    assert "Thẩm định lần 1: Điều chỉnh điểm,Điểm: 5," in text  # the first decision: its score
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert "answer.saved" not in text


def test_the_history_page_filtered_by_a_criterion_lists_only_its_events(team, assessment, client_as):
    page = client_as(team.officer_a1).get(
        reverse("assessments:history", kwargs={"province": "tinh-a", "assessment_id": assessment.pk}) + "?chi-tieu=1.3"
    ).content.decode()
    assert "<div>Số liệu: 2</div>" in page and "a 4; b 10" not in page and "Gửi bản tự đánh giá" not in page


def test_the_history_page_costs_the_same_queries_for_few_or_many_events(team, assessment, indicators, client_as):
    client = client_as(team.officer_a1)
    with scopes_disabled():
        from assessments.models import Assessment

        Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.DRAFT)
    _history(client, assessment)
    with CaptureQueriesContext(connection) as few:
        assert _history(client, assessment).status_code == 200
    with scope(province=team.province_a):
        for n in range(12):
            answer_save(assessment=assessment, indicator=indicators[("1.2", "1.3", "2")[n % 3]],
                        inputs={"a": str(n), "b": "100"} if n % 3 == 0 else ({"count": str(n)} if n % 3 == 1 else {"points": "1"}),
                        note=f"lần {n}", actor=team.officer_a1)
    with CaptureQueriesContext(connection) as many:
        page = _history(client, assessment).content.decode()
    assert "Ghi chú: “lần 7” → “lần 10”" in page and len(many) == len(few)

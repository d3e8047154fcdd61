"""Start from last year: copying last year's answers (and, as links, its evidence) into a framework
cloned from last year's, the "từ năm trước — cần xác nhận" mark, and submission refused while any
copied answer is unconfirmed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from assessments import carry_over
from assessments.models import Answer, Assessment, Evidence, Period
from dti_portal.audit.models import Entry
from assessments.services import answer_save, assessment_submit, evidence_add, evidence_remove, period_open, period_save
from indicators.models import Framework
from indicators.scoring import RULE_LABELS, Rule
from indicators.services import framework_clone, indicator_delete, indicator_save
from tests.assessments.conftest import build_framework, node
from tests.conftest import Rewind

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
GRADES = {"options": [{"label": "Tốt", "points": 5}, {"label": "Khá", "points": 3}, {"label": "Chưa đạt", "points": 0}]}
LEVELS = {"options": [{"label": "Cấp tỉnh", "points": 5}, {"label": "Cấp sở", "points": 2}]}


def _period(world, framework, year):
    today = timezone.localdate()
    with scope(province=world.province_a):
        period = Period(province=world.province_a, year=year, name=f"Kỳ đánh giá {year}",
                        self_assessment_start=today - timedelta(days=5), self_assessment_end=today + timedelta(days=5))
        period_save(period=period, frameworks={framework.unit_kind: framework}, actor=None)
        period_open(period=period, actor=world.admin_a)
        return Assessment.objects.select_related("period", "framework").get(period=period, unit=world.unit_a1)


def _indicators(framework):
    with scopes_disabled():
        return {i.code: i for i in framework.indicators.all()}


@pytest.fixture
def years(world):
    """Sở Y tế answered 2024's catalogue (1.1 with a file); 2025's is its clone, in which 1.2 was
    renumbered 1.5, 1.3 became manual, 4's options were renamed, 5's points changed, 3 is new and 6
    was deleted and its code given to a new criterion."""
    old = build_framework(world.province_a, extra_leaves=0)
    with scope(province=world.province_a):
        old.status = Framework.Status.DRAFT
        old.save()
        node(old, "4", "Mức độ triển khai", 5, "choice", LEVELS)
        node(old, "5", "Đánh giá chung", 5, "choice", GRADES)
        node(old, "6", "Chỉ tiêu bỏ năm 2025", 5)
        old.year = 2024
        old.status = Framework.Status.ACTIVE
        old.save()
    last = _period(world, old, 2024)
    before = _indicators(old)
    with scope(province=world.province_a):
        for code, inputs, note in [("1.1", {"value": "có"}, "Chuyên mục trên cổng"), ("1.2", {"a": "4", "b": "10"}, ""),
                                   ("1.3", {"count": "2"}, ""), ("2", {"points": "8"}, "tự chấm"),
                                   ("4", {"option": "Cấp tỉnh"}, ""), ("5", {"option": "Khá"}, ""), ("6", {"points": "5"}, "")]:
            answer_save(assessment=last, indicator=before[code], inputs=inputs, note=note, actor=world.officer_a1)
        evidence_add(assessment=last, indicator=before["1.1"], upload=SimpleUploadedFile("chuyen-muc.pdf", PDF),
                     actor=world.officer_a1)
        clone = framework_clone(actor=None, framework=old, year=2025)
        now = _indicators(clone)
        for code, changes in [("1.2", {"code": "1.5"}), ("1.3", {"rule": "manual", "params": {}}),
                              ("4", {"params": {"options": [{"label": "Toàn tỉnh", "points": 5}, {"label": "Cấp sở", "points": 2}]}}),
                              ("5", {"params": {"options": [{"label": "Chưa đạt", "points": 0}, {"label": "Khá", "points": 4},
                                                            {"label": "Tốt", "points": 5}]}})]:
            indicator = now[code]
            data = {f: getattr(indicator, f) for f in ("code", "name", "max_points", "rule", "params", "guidance",
                                                       "evidence_required", "data_source", "verifying_agency")}
            indicator_save(actor=None, framework=clone, indicator=indicator, parent=indicator.parent, data=data | changes)
        node(clone, "3", "Chỉ tiêu mới năm 2025", 5, "yes_no")
        indicator_delete(actor=None, indicator=now["6"])
        node(clone, "6", "Chỉ tiêu khác, lấy lại mã 6", 5)  # the same code and rule, another criterion
        clone.status = Framework.Status.ACTIVE
        clone.save()
    this = _period(world, clone, 2025)
    world.last, world.this, world.before, world.now = last, this, before, _indicators(clone)
    return world


def _copy(world, actor=None):
    with scope(province=world.province_a):
        return carry_over.copy_previous_answers(assessment=world.this, actor=actor or world.officer_a1)


def _answers(assessment):
    with scopes_disabled():
        return {a.indicator.code: a for a in Answer.objects.filter(assessment=assessment).select_related("indicator")}


def _url(name, assessment, **extra):
    return reverse(f"assessments:{name}", kwargs={"province": "tinh-a", "assessment_id": assessment.pk, **extra})


def test_the_page_shows_what_would_be_copied_and_what_not_and_why(years, client_as):
    page = client_as(years.officer_a1).get(_url("carry_over", years.this))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Sẽ chép số liệu và ghi chú năm trước cho <b>4</b> chỉ tiêu" in text
    assert "kèm <b>1</b> tài liệu kiểm chứng" in text
    assert "Tử số (a): 4; Mẫu số (b): 10" in text
    assert "năm 2024" in text
    with scope(province=years.province_a):
        plan = carry_over.carry_over_plan(years.this)
    assert [new.code for new, _ in plan.copy] == ["1.1", "1.5", "2", "5"]
    assert {s.code: s.why for s in plan.skipped} == {
        "1.3": f"cách tính điểm đã đổi (năm trước: {RULE_LABELS[Rule.COUNT]}, năm nay: {RULE_LABELS[Rule.MANUAL]})",
        "4": "các lựa chọn đã đổi so với năm trước",
        "3": "chỉ tiêu mới, không có trong bộ chỉ số năm trước",
        "6": "chỉ tiêu mới, không có trong bộ chỉ số năm trước",
    }
    assert plan.dropped == ["6"]
    assert "các lựa chọn đã đổi so với năm trước" in text and "chỉ tiêu mới" in text


def test_criteria_left_empty_last_year_are_listed_apart(years, client_as):
    with scopes_disabled():
        Answer.objects.filter(assessment=years.last, indicator=years.before["2"]).delete()
    with scope(province=years.province_a):
        plan = carry_over.carry_over_plan(years.this)
    assert [(s.code, s.why) for s in plan.unanswered] == [("2", "năm trước chưa có số liệu (mã 2)")]
    assert "2" not in {s.code for s in plan.skipped} and "2" not in {new.code for new, _ in plan.copy}
    page = client_as(years.officer_a1).get(_url("carry_over", years.this)).content.decode()
    assert "Năm trước đơn vị chưa nhập số liệu: 1 chỉ tiêu" in page


def test_the_clones_code_map_follows_renumbering_and_deletion(years):
    with scopes_disabled():
        code_map = Framework.objects.get(pk=years.this.framework_id).code_map
    assert code_map["1.2"] == "1.5" and "6" not in code_map and code_map["1.1"] == "1.1"


def test_copying_follows_the_code_map_recomputes_scores_and_marks_each_answer(years):
    copied = _copy(years)
    assert (copied.answers, copied.evidence, copied.codes) == (4, 1, ["1.1", "1.5", "2", "5"])
    answers = _answers(years.this)
    assert set(answers) == {"1.1", "1.5", "2", "5"}  # 1.3, 3, 4 and the new 6 are not copied
    assert answers["1.5"].inputs == {"a": "4", "b": "10"} and answers["1.5"].self_score == Decimal(4)
    assert answers["1.1"].note == "Chuyên mục trên cổng" and answers["1.1"].self_score == Decimal(10)
    assert answers["5"].self_score == Decimal(4)  # "Khá" is worth 4 this year, 3 last year
    assert all(a.carried_over for a in answers.values())
    with scopes_disabled():
        assert answers["2"].carried_from == Answer.objects.get(assessment=years.last, indicator=years.before["2"])
        events = list(Entry.objects.filter(assessment=years.this, action="answers.carried_over"))
        assessment = Assessment.objects.get(pk=years.this.pk)
    assert len(events) == 1 and events[0].new["codes"] == ["1.1", "1.5", "2", "5"] and events[0].new["year"] == 2024
    assert assessment.self_total == Decimal(10 + 4 + 8 + 4) and assessment.answered_count == 4


def test_evidence_is_copied_as_a_link_and_a_file_is_deleted_only_when_no_row_names_it(
        years, django_capture_on_commit_callbacks):
    _copy(years)
    with scopes_disabled():
        old = Evidence.objects.get(answer__assessment=years.last)
        link = Evidence.objects.get(answer__assessment=years.this)
    assert link.file.name == old.file.name and link.sha256 == old.sha256 and link.original_name == "chuyen-muc.pdf"
    storage = old.file.storage
    with scope(province=years.province_a), django_capture_on_commit_callbacks(execute=True):
        evidence_remove(evidence=link, actor=years.officer_a1)
    assert storage.exists(old.file.name)  # last year's row still names it
    with scope(province=years.province_a), django_capture_on_commit_callbacks(execute=True):
        evidence_remove(evidence=old, actor=years.officer_a1)
    assert not storage.exists(old.file.name)


def test_removing_last_years_row_keeps_the_file_this_year_links_to(years, django_capture_on_commit_callbacks):
    _copy(years)
    with scopes_disabled():
        old = Evidence.objects.get(answer__assessment=years.last)
    with scope(province=years.province_a), django_capture_on_commit_callbacks(execute=True):
        evidence_remove(evidence=old, actor=years.officer_a1)
    with scopes_disabled():
        link = Evidence.objects.get(answer__assessment=years.this)
    assert link.file.storage.exists(link.file.name) and link.file.read() == PDF


def test_copying_twice_neither_duplicates_files_nor_overwrites_what_the_officer_typed(years):
    with scope(province=years.province_a):
        answer_save(assessment=years.this, indicator=years.now["2"], inputs={"points": "9"}, note="năm nay",
                    actor=years.officer_a1)
    copied = _copy(years)
    assert copied.codes == ["1.1", "1.5", "5"]
    answers = _answers(years.this)
    assert answers["2"].inputs == {"points": "9"} and not answers["2"].carried_over
    with pytest.raises(ValidationError, match="Không có chỉ tiêu nào để chép"):
        _copy(years)
    with scopes_disabled():
        assert Evidence.objects.filter(answer__assessment=years.this).count() == 1
    with scope(province=years.province_a):
        plan = carry_over.carry_over_plan(years.this)
    assert {k.code for k in plan.kept} == {"1.1", "1.5", "2", "5"}


def test_a_save_through_answer_save_clears_the_mark_changed_or_not(years):
    _copy(years)
    with scope(province=years.province_a):
        answer_save(assessment=years.this, indicator=years.now["2"], inputs={"points": "8"}, note="tự chấm",
                    actor=years.officer_a1)  # the same values: the officer kept them
        answer_save(assessment=years.this, indicator=years.now["1.5"], inputs={"a": "6", "b": "10"}, note="",
                    actor=years.officer_a1)
    answers = _answers(years.this)
    assert not answers["2"].carried_over and not answers["1.5"].carried_over and answers["1.1"].carried_over
    with scopes_disabled():
        assert Entry.objects.filter(assessment=years.this, action="answer.carry_confirmed", indicator=years.now["2"]).exists()


def test_the_officer_confirms_a_copied_answer_on_the_entry_page(years, client_as):
    _copy(years)
    client = client_as(years.officer_a1)
    page = client.get(_url("entry", years.this)).content.decode()
    assert 'data-testid="carried-1.1"' in page and "từ năm trước — cần xác nhận" in page
    assert 'data-testid="carried-1.3"' not in page
    response = client.post(_url("carry_confirm", years.this, indicator_id=years.now["1.1"].pk), follow=True)
    assert "Đã xác nhận số liệu năm trước của chỉ tiêu 1.1." in response.content.decode()
    assert not _answers(years.this)["1.1"].carried_over
    assert 'data-testid="carried-1.1"' not in response.content.decode()
    again = client.post(_url("carry_confirm", years.this, indicator_id=years.now["1.1"].pk), follow=True)
    assert "không có số liệu chép từ năm trước đang chờ xác nhận" in again.content.decode()


def test_with_htmx_the_confirmation_answers_with_the_card_swapped_in_place(years, client_as):
    _copy(years)
    response = client_as(years.officer_a1).post(_url("carry_confirm", years.this, indicator_id=years.now["1.1"].pk),
                                                HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert response.status_code == 200 and 'hx-swap-oob="true"' in text
    assert "Đã xác nhận số liệu năm trước của chỉ tiêu 1.1." in text and 'data-testid="carried-1.1"' not in text
    assert not _answers(years.this)["1.1"].carried_over


def test_submission_is_refused_while_a_copied_answer_is_unconfirmed(years, client_as):
    _copy(years)
    with scope(province=years.province_a):
        for code, inputs in [("1.3", {"points": "5"}), ("3", {"value": "có"}), ("4", {"option": "Cấp sở"}), ("6", {"points": "1"})]:
            answer_save(assessment=years.this, indicator=years.now[code], inputs=inputs, note="", actor=years.officer_a1)
        with pytest.raises(ValidationError) as refused:
            assessment_submit(assessment=years.this, actor=years.officer_a1)
    assert refused.value.messages == ["Chưa gửi được: còn 4 chỉ tiêu chép từ năm trước chưa được xác nhận (1.1, 1.5, 2, 5)."]
    client = client_as(years.officer_a1)
    assert "(1.1, 1.5, 2, 5)" in client.post(_url("submit", years.this)).content.decode()
    listed = client.get(_url("submit", years.this)).content.decode()
    assert "còn 4 chỉ tiêu chép từ năm trước chưa được xác nhận" in listed and "Xác nhận gửi" not in listed
    assert f'#i-{years.now["1.5"].pk}">1.5 Tỷ lệ hồ sơ xử lý trực tuyến</a>' in listed
    for code in ("1.1", "1.5", "2", "5"):
        client.post(_url("carry_confirm", years.this, indicator_id=years.now[code].pk))
    client.post(_url("submit", years.this))
    with scopes_disabled():
        assert Assessment.objects.get(pk=years.this.pk).status == Assessment.Status.SUBMITTED


def test_copying_into_a_submitted_assessment_is_refused_and_changes_nothing(years, client_as):
    with scope(province=years.province_a):
        for code, inputs in [("1.1", {"value": "không"}), ("1.5", {"a": "1", "b": "2"}), ("1.3", {"points": "5"}),
                             ("2", {"points": "1"}), ("3", {"value": "có"}), ("4", {"option": "Cấp sở"}),
                             ("5", {"option": "Tốt"}), ("6", {"points": "1"})]:
            answer_save(assessment=years.this, indicator=years.now[code], inputs=inputs, note="", actor=years.officer_a1)
        assessment_submit(assessment=years.this, actor=years.officer_a1)
    response = client_as(years.officer_a1).post(_url("carry_over", years.this), follow=True)
    text = response.content.decode()
    assert response.status_code == 400
    assert "Không sao chép được: bản tự đánh giá không còn ở trạng thái đang nhập liệu (đã gửi)." in text
    assert 'data-testid="carry-submit"' not in text
    with pytest.raises(ValidationError, match="Không sao chép được"):
        _copy(years)
    answers = _answers(years.this)
    assert answers["1.1"].inputs == {"value": "không"} and not any(a.carried_over for a in answers.values())
    with scopes_disabled():
        assert not Evidence.objects.filter(answer__assessment=years.this).exists()


def test_a_framework_not_cloned_offers_nothing_to_copy(world, assessment, client_as):
    client = client_as(world.officer_a1)
    assert 'data-testid="carry-over-link"' not in client.get(_url("entry", assessment)).content.decode()
    page = client.get(_url("carry_over", assessment)).content.decode()
    assert "không được sao chép từ bộ chỉ số năm trước" in page


def test_the_entry_page_offers_the_copy_to_the_officer_only_while_entry_is_open(years, client_as):
    assert 'data-testid="carry-over-link"' in client_as(years.officer_a1).get(_url("entry", years.this)).content.decode()
    assert 'data-testid="carry-over-link"' not in client_as(years.admin_a).get(_url("entry", years.this)).content.decode()


def test_ansos_assessments_or_provinces_officer_gets_404_and_other_roles_403(years, client_as):
    with scopes_disabled():
        sos_assessment = Assessment.objects.get(period=years.this.period, unit=years.unit_a1)
    assert client_as(years.officer_a2).get(_url("carry_over", sos_assessment)).status_code == 404
    assert client_as(years.officer_a2).post(_url("carry_over", sos_assessment)).status_code == 404
    assert client_as(years.officer_b1).get(_url("carry_over", sos_assessment)).status_code == 404
    assert client_as(years.officer_a2).post(
        _url("carry_confirm", sos_assessment, indicator_id=years.now["2"].pk)).status_code == 404
    assert client_as(years.admin_a).post(_url("carry_over", sos_assessment)).status_code == 403
    assert not _answers(years.this)


def _copy_queries(world, extra_leaves: int) -> tuple[int, int]:
    """Queries of the page (GET) and of the copy (POST) for a catalogue with `extra_leaves` more leaves."""
    old = build_framework(world.province_a, extra_leaves=extra_leaves)
    with scope(province=world.province_a):
        old.year = 2024
        old.save()
    last = _period(world, old, 2024)
    with scope(province=world.province_a):
        for indicator in old.indicators.exclude(rule="sum"):
            inputs = {"yes_no": {"value": "có"}, "ratio": {"a": "1", "b": "2"}, "count": {"count": "1"}}.get(
                indicator.rule, {"points": "1"})
            answer_save(assessment=last, indicator=indicator, inputs=inputs, note="", actor=world.officer_a1)
            evidence_add(assessment=last, indicator=indicator, upload=SimpleUploadedFile("a.pdf", PDF), actor=world.officer_a1)
        clone = framework_clone(actor=None, framework=old, year=2025)
        clone.status = Framework.Status.ACTIVE
        clone.save()
    this = _period(world, clone, 2025)
    client = Client()
    client.force_login(world.officer_a1)
    url = _url("carry_over", this)
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as page:
        client.get(url)
    with CaptureQueriesContext(connection) as copy:
        assert client.post(url).status_code == 302
    with scopes_disabled():
        assert Answer.objects.filter(assessment=this, carried_over=True).count() == 4 + extra_leaves
        assert Evidence.objects.filter(answer__assessment=this).count() == 4 + extra_leaves
    return len(page), len(copy)


def test_the_page_and_the_copy_cost_the_same_queries_for_20_and_for_150_criteria(world):
    rewind = Rewind()
    rewind()
    small = _copy_queries(world, 16)
    rewind()
    large = _copy_queries(world, 146)
    assert small[0] == large[0], (small, large)
    # SQLite caps a statement at 999 parameters, so Django splits the bulk writes of 150 rows into
    # a few statements there; PostgreSQL takes each in one.
    assert large[1] - small[1] <= (3 if connection.vendor == "sqlite" else 0), (small, large)
    assert large[1] < 40


def test_the_entry_page_costs_the_same_queries_with_copied_answers_as_without(years):
    client = Client()
    client.force_login(years.officer_a1)
    url = _url("entry", years.this)
    counts = []
    for step in ("before", "after"):
        if step == "after":
            _copy(years)
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        counts.append(len(queries))
    assert page.content.decode().count("từ năm trước — cần xác nhận") == 4
    assert counts[0] == counts[1], counts

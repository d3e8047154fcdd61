"""Self-assessment: officers fill, save, submit; nothing typed is lost; every change is logged."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from assessments.models import Answer, Assessment, Period
from dti_portal.audit.models import Entry
from assessments.services import extension_grant, period_open, period_save
from indicators.models import Framework
from tests.assessments.conftest import build_framework, open_period
from tests.conftest import Rewind


def _entry(assessment, **query):
    url = reverse("assessments:entry", kwargs={"province": "tinh-a", "assessment_id": assessment.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _save(client, assessment, indicator, **data):
    url = reverse("assessments:answer_save", kwargs={"province": "tinh-a", "assessment_id": assessment.pk, "indicator_id": indicator.pk})
    return client.post(url, data, follow=True)


def _answer(assessment, code):
    with scopes_disabled():
        return Answer.objects.filter(assessment=assessment, indicator__code=code).first()


# --- opening a period -----------------------------------------------------------------------
def test_opening_a_period_gives_every_unit_of_its_kinds_an_assessment_and_freezes_the_framework(world, period):
    with scopes_disabled():
        assessments = list(Assessment.objects.filter(period=period).values_list("unit__name", flat=True))
        framework = Framework.objects.get(name="Bộ chỉ số sở 2025")
        assert framework.assessments.count() == 1
    assert assessments == ["Sở Y tế"]  # the huyện has no framework in this period


def test_a_unit_closed_before_the_year_gets_no_assessment(world):
    from datetime import date

    with scopes_disabled():
        world.unit_a1.valid_to = date(2024, 12, 31)
        world.unit_a1.save()
    period = open_period(world, world.province_a, build_framework(world.province_a))
    with scopes_disabled():
        assert not Assessment.objects.filter(period=period).exists()


def test_a_period_cannot_open_with_a_draft_framework_or_twice(world):
    framework = build_framework(world.province_a)
    with scope(province=world.province_a):
        framework.status = Framework.Status.DRAFT
        framework.save()
        today = timezone.localdate()
        period = Period(province=world.province_a, year=2025, name="Kỳ", self_assessment_start=today, self_assessment_end=today)
        period_save(period=period, frameworks={framework.unit_kind: framework}, actor=None)
        with pytest.raises(Exception, match="chưa được áp dụng"):
            period_open(period=period, actor=world.admin_a)


def test_a_schedule_out_of_order_is_refused_on_the_form(world, client_as):
    build_framework(world.province_a)
    response = client_as(world.admin_a).post(reverse("assessments:period_create", kwargs={"province": "tinh-a"}), {
        "year": "2025", "name": "Kỳ 2025", "self_assessment_start": "10/03/2025", "self_assessment_end": "01/03/2025"})
    assert "Hạn tự đánh giá phải sau ngày bắt đầu tự đánh giá." in response.content.decode()
    bad_date = client_as(world.admin_a).post(reverse("assessments:period_create", kwargs={"province": "tinh-a"}), {
        "year": "2025", "name": "Kỳ 2025", "self_assessment_start": "32/01/2025", "self_assessment_end": ""})
    text = bad_date.content.decode()
    assert "Ngày không hợp lệ" in text and "Trường này là bắt buộc." in text
    with scopes_disabled():
        assert not Period.objects.exists()


# --- entering data ----------------------------------------------------------------------------
def test_an_officer_saves_answers_and_the_engine_scores_them(world, assessment, indicators, client_as):
    client = client_as(world.officer_a1)
    _save(client, assessment, indicators["1.2"], a="41,6", b="52", note="Số liệu quý 4")
    _save(client, assessment, indicators["1.3"], count="3")
    _save(client, assessment, indicators["1.1"], value="có")
    assert _answer(assessment, "1.2").self_score == Decimal("8")
    assert _answer(assessment, "1.3").self_score == Decimal("6")
    page = client.get(_entry(assessment)).content.decode()
    assert 'data-testid="subtotal-1">24 / 30<' in page
    assert 'data-testid="grand-total">24<' in page
    assert "Đã trả lời <b>3/4</b> chỉ tiêu" in page
    assert "1 chỉ tiêu thiếu tài liệu kiểm chứng" in page  # 1.1 claims points without its evidence
    assert 'value="41,6"' in page and 'value="Số liệu quý 4"' in page


@pytest.mark.parametrize("data, message", [
    ({"a": "12", "b": "10"}, "Tử số (a) = 12 lớn hơn mẫu số (b) = 10."),
    ({"a": "0", "b": "0"}, "Mẫu số (b)"),
])
def test_an_answer_the_rule_refuses_is_kept_with_its_reason(world, assessment, indicators, client_as, data, message):
    client = client_as(world.officer_a1)
    page = _save(client, assessment, indicators["1.2"], **data).content.decode()
    assert message in page
    answer = _answer(assessment, "1.2")
    assert answer.self_score is None and answer.inputs == data and message in answer.error
    assert f'value="{data["a"]}"' in page and f'value="{data["b"]}"' in page


@pytest.mark.parametrize("data, message", [
    ({"a": "-1", "b": "10"}, "không được là số âm"),
    ({"a": "abc", "b": "10"}, "“abc” không phải là số."),
    ({"a": "1,23456", "b": "10"}, "quá 4 chữ số thập phân"),
    ({"a": "1.5", "b": "10"}, "viết số thập phân bằng dấu phẩy (1,5)"),
    ({"a": "41.6", "b": "100"}, "viết số thập phân bằng dấu phẩy (41,6)"),
])
def test_a_number_that_cannot_be_read_saves_nothing_and_the_page_shows_what_was_typed(
        world, assessment, indicators, client_as, data, message):
    client = client_as(world.officer_a1)
    response = _save(client, assessment, indicators["1.2"], **data)
    page = response.content.decode()
    assert response.status_code == 400 and message in page and "chưa lưu" in page
    assert _answer(assessment, "1.2") is None
    assert f'value="{data["a"]}"' in page and f'value="{data["b"]}"' in page


def test_numbers_are_read_the_vietnamese_way_and_echoed_as_read(world, assessment, indicators, client_as):
    client = client_as(world.officer_a1)
    page = _save(client, assessment, indicators["1.2"], a="850", b="1.000").content.decode()
    assert _answer(assessment, "1.2").inputs == {"a": "850", "b": "1000"}  # stored exactly, decimal comma
    assert _answer(assessment, "1.2").self_score == Decimal("8.5")
    assert "Đã đọc: Tử số (a) = 850; Mẫu số (b) = 1.000." in page
    _save(client, assessment, indicators["1.2"], a="2.000,5", b="2.500")
    assert _answer(assessment, "1.2").inputs == {"a": "2000,5", "b": "2500"}


def test_a_too_long_note_or_text_is_an_error_never_cut(world, assessment, indicators, client_as):
    client = client_as(world.officer_a1)
    response = _save(client, assessment, indicators["1.2"], a="4", b="10", note="x" * 2001)
    assert response.status_code == 400
    assert "Ghi chú: tối đa 2000 ký tự (đang có 2001)." in response.content.decode()
    assert _answer(assessment, "1.2") is None
    _save(client, assessment, indicators["1.2"], a="4", b="10", note="x" * 2000)
    assert len(_answer(assessment, "1.2").note) == 2000


def test_a_count_that_is_not_whole_and_a_manual_score_above_max_are_refused(world, assessment, indicators, client_as):
    client = client_as(world.officer_a1)
    assert "Số lượng: “2,5” phải là số nguyên." in _save(client, assessment, indicators["1.3"], count="2,5").content.decode()
    assert "vượt điểm tối đa" in _save(client, assessment, indicators["2"], points="11").content.decode()


def test_leaving_and_coming_back_finds_everything(world, assessment, indicators, client_as):
    _save(client_as(world.officer_a1), assessment, indicators["1.2"], a="4", b="10")
    fresh = Client()
    fresh.force_login(world.officer_a1)
    page = fresh.get(_entry(assessment)).content.decode()
    assert 'value="4"' in page and 'value="10"' in page and 'data-testid="score-1.2">4 / 10 điểm<' in page


def test_the_filter_shows_only_what_is_left_to_do(world, assessment, indicators, client_as):
    client = client_as(world.officer_a1)
    _save(client, assessment, indicators["1.2"], a="4", b="10")
    page = client.get(_entry(assessment, **{"con-lai": "1"})).content.decode()
    assert 'data-code="1.1"' in page and 'data-code="1.3"' in page and 'data-code="2"' in page
    assert 'data-code="1.2"' not in page


def test_the_page_costs_the_same_queries_for_a_small_and_a_large_framework(world, client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts, rewind = [], Rewind()
    for extra in (0, 60):
        rewind()
        period = open_period(world, world.province_a, build_framework(world.province_a, extra_leaves=extra))
        with scopes_disabled():
            assessment = Assessment.objects.get(period=period)
        client.force_login(world.officer_a1)
        client.get(_entry(assessment))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_entry(assessment)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- submitting ---------------------------------------------------------------------------
def _complete(client, assessment, indicators):
    _save(client, assessment, indicators["1.1"], value="không")
    _save(client, assessment, indicators["1.2"], a="4", b="10")
    _save(client, assessment, indicators["1.3"], count="1")
    _save(client, assessment, indicators["2"], points="5")


def _submit_url(assessment):
    return reverse("assessments:submit", kwargs={"province": "tinh-a", "assessment_id": assessment.pk})


def test_submitting_is_refused_while_answers_or_evidence_are_missing_with_links_to_them(world, assessment, indicators, client_as):
    client = client_as(world.officer_a1)
    _save(client, assessment, indicators["1.1"], value="có")
    response = client.post(_submit_url(assessment))
    text = response.content.decode()
    assert response.status_code == 400
    assert "còn 4 chỉ tiêu cần bổ sung" in text
    assert f'#i-{indicators["1.1"].pk}">1.1' in text and "thiếu tài liệu kiểm chứng" in text
    assert "chưa nhập số liệu" in text
    assert Assessment.objects.with_scopes_disabled().get(pk=assessment.pk).status == "draft"


def test_a_complete_assessment_is_submitted_and_the_page_turns_read_only(world, assessment, indicators, client_as):
    client = client_as(world.officer_a1)
    _complete(client, assessment, indicators)
    assert "Mọi chỉ tiêu đã có số liệu" in client.get(_submit_url(assessment)).content.decode()
    response = client.post(_submit_url(assessment), follow=True)
    text = response.content.decode()
    assert "Đã gửi bản tự đánh giá" in text and "Chỉ xem: Đơn vị đã gửi bản tự đánh giá lúc" in text
    assert "answer_save" not in text and "/chi-tieu/" not in text  # no more forms
    again = client.post(_submit_url(assessment), follow=True).content.decode()
    assert "Bản tự đánh giá đã được gửi rồi." in again
    edited = _save(client, assessment, indicators["1.2"], a="9", b="10").content.decode()
    assert "Đơn vị đã gửi bản tự đánh giá" in edited
    assert _answer(assessment, "1.2").self_score == Decimal("4")


def test_the_unit_may_withdraw_until_round_one_and_submit_again(world, assessment, indicators, client_as):
    client = client_as(world.officer_a1)
    _complete(client, assessment, indicators)
    client.post(_submit_url(assessment))
    withdraw = reverse("assessments:withdraw", kwargs={"province": "tinh-a", "assessment_id": assessment.pk})
    assert client.get(withdraw).status_code == 405
    assert "Đã rút lại bản tự đánh giá" in client.post(withdraw, follow=True).content.decode()
    with scopes_disabled():
        Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.ROUND1)
    assert "Chỉ rút lại được bản đã gửi và chưa được thẩm định." in client.post(withdraw, follow=True).content.decode()


def test_after_the_deadline_entry_closes_unless_the_unit_has_an_extension(world, client_as):
    period = open_period(world, world.province_a, build_framework(world.province_a), start=-10, end=-1)
    with scopes_disabled():
        assessment = Assessment.objects.select_related("period").get(period=period)
        indicator = assessment.framework.indicators.get(code="1.2")
    client = client_as(world.officer_a1)
    page = client.get(_entry(assessment)).content.decode()
    assert "Đã hết hạn tự đánh giá" in page and "đơn vị cần được gia hạn" in page
    assert "Đã hết hạn tự đánh giá" in _save(client, assessment, indicator, a="1", b="2").content.decode()
    assert _answer(assessment, "1.2") is None
    with scope(province=world.province_a):
        extension_grant(assessment=assessment, until=timezone.localdate() + timedelta(days=3), actor=world.admin_a)
    page = _save(client, assessment, indicator, a="1", b="2").content.decode()
    assert "Đã lưu chỉ tiêu 1.2." in page and "(đã gia hạn)" in page and "còn 3 ngày" in page


def test_an_extension_is_granted_from_the_progress_table_and_a_bad_date_is_refused(world, assessment, client_as):
    client = client_as(world.admin_a)
    url = reverse("assessments:extension_grant", kwargs={"province": "tinh-a", "assessment_id": assessment.pk})
    assert "Ngày không hợp lệ" in client.post(url, {"until": "31/02/2025"}, follow=True).content.decode()
    too_early = (timezone.localdate() - timedelta(days=30)).strftime("%d/%m/%Y")
    assert "Ngày gia hạn phải sau hạn chung" in client.post(url, {"until": too_early}, follow=True).content.decode()
    later = (timezone.localdate() + timedelta(days=20)).strftime("%d/%m/%Y")
    assert f"gia hạn đến {later}" in client.post(url, {"until": later}, follow=True).content.decode()


# --- who sees what ------------------------------------------------------------------------
def test_appraisers_and_admins_see_the_assessment_read_only(world, assessment, indicators, client_as):
    _save(client_as(world.officer_a1), assessment, indicators["1.2"], a="4", b="10")
    for persona in (world.appraiser_a, world.admin_a, world.lead_a):
        client = Client()
        client.force_login(persona)
        page = client.get(_entry(assessment)).content.decode()
        assert "chỉ cán bộ đầu mối của đơn vị nhập số liệu" in page and "Tử số (a): <b>4</b>" in page
        assert _save(client, assessment, indicators["1.2"], a="9", b="10").status_code == 403
    assert _answer(assessment, "1.2").self_score == Decimal("4")


def test_another_units_officer_and_another_province_get_404(world, assessment, client_as):
    assert client_as(world.officer_a2).get(_entry(assessment)).status_code == 404
    other = Client()
    other.force_login(world.admin_b)
    assert other.get(reverse("assessments:entry", kwargs={"province": "tinh-b", "assessment_id": assessment.pk})).status_code == 404


def test_leadership_sees_who_has_submitted_and_who_has_not(world, assessment, indicators, client_as):
    client = client_as(world.leader_a)
    page = client.get(reverse("assessments:period_detail", kwargs={"province": "tinh-a", "period_id": assessment.period_id})).content.decode()
    assert 'data-unit="Sở Y tế"' in page and "Chưa gửi" in page and "0/4" in page
    assert client_as(world.officer_a1).get(reverse("assessments:period_list", kwargs={"province": "tinh-a"})).status_code == 403


def test_the_officers_unit_page_links_to_its_assessment(world, assessment, client_as):
    page = client_as(world.officer_a1).get(reverse("tenancy:unit_detail", kwargs={"province": "tinh-a", "unit_id": world.unit_a1.pk}))
    assert _entry(assessment) in page.content.decode()


# --- history --------------------------------------------------------------------------------
def test_every_change_is_logged_with_who_when_old_and_new(world, assessment, indicators, client_as):
    client = client_as(world.officer_a1)
    _save(client, assessment, indicators["1.2"], a="4", b="10")
    _save(client, assessment, indicators["1.2"], a="5", b="10")
    _save(client, assessment, indicators["1.2"], a="5", b="10")  # unchanged: nothing new to log
    with scopes_disabled():
        events = list(Entry.objects.filter(assessment=assessment, action="answer.saved"))
    assert len(events) == 2
    assert events[1].old["inputs"] == {"a": "4", "b": "10"} and events[1].new["self_score"] == "5"
    assert events[1].actor == world.officer_a1
    page = client.get(reverse("assessments:history", kwargs={"province": "tinh-a", "assessment_id": assessment.pk}),
                      {"chi-tieu": "1.2"}).content.decode()
    assert page.count("<td>Lưu số liệu</td>") == 2  # labelled in Vietnamese (assessments.history)


def test_the_event_log_cannot_be_edited_or_deleted(world, assessment, indicators, client_as):
    _save(client_as(world.officer_a1), assessment, indicators["1.2"], a="4", b="10")
    with scopes_disabled():
        event = Entry.objects.filter(assessment=assessment).first()
        with pytest.raises(PermissionError):
            event.delete()
        with pytest.raises(PermissionError):
            event.save()
        with pytest.raises(PermissionError):
            Entry.objects.filter(pk=event.pk).delete()
        with pytest.raises(PermissionError):
            Entry.objects.filter(pk=event.pk).update(reason="sửa")


# --- entry without reloads (htmx) -----------------------------------------------------------
HX = {"HTTP_HX_REQUEST": "true"}


def _version(assessment, code):
    from assessments.answer_forms import answer_version

    answer = _answer(assessment, code)
    return answer_version(answer.inputs if answer else {}, answer.note if answer else "")


def _hx_save(client, assessment, indicator, **data):
    url = reverse("assessments:answer_save", kwargs={"province": "tinh-a", "assessment_id": assessment.pk, "indicator_id": indicator.pk})
    return client.post(url, data, **HX)


def test_an_htmx_save_answers_with_the_card_the_subtotals_the_totals_and_the_progress_in_place(
        world, assessment, indicators, client_as):
    client = client_as(world.officer_a1)
    response = _hx_save(client, assessment, indicators["1.2"], a="850", b="1.000", version=_version(assessment, "1.2"))
    text = response.content.decode()
    assert response.status_code == 200 and "<html" not in text  # a fragment, not a page
    pk = indicators["1.2"].pk
    assert f'id="i-{pk}" data-code="1.2" hx-swap-oob="true"' in text
    assert 'data-testid="score-1.2">8,5 / 10 điểm<' in text
    assert "Đã đọc: Tử số (a) = 850; Mẫu số (b) = 1.000" in text
    assert f'id="sub-i-{indicators["1"].pk}" hx-swap-oob="true" data-testid="subtotal-1">8,5 / 30<' in text
    assert 'id="entry-summary" hx-swap-oob="true"' in text and 'data-testid="grand-total">8,5<' in text
    assert "Đã trả lời <b>1/4</b>" in text and 'aria-valuenow="25"' in text
    assert f'name="version" value="{_version(assessment, "1.2")}"' in text  # the next save starts from this one


def test_a_refused_htmx_save_keeps_the_typed_values_marked_unsaved(world, assessment, indicators, client_as):
    text = _hx_save(client_as(world.officer_a1), assessment, indicators["1.2"], a="41.6", b="100",
                    version=_version(assessment, "1.2")).content.decode()
    assert "chưa lưu" in text and "viết số thập phân bằng dấu phẩy (41,6)" in text
    assert 'value="41.6"' in text and 'data-dirty="1"' in text and "is-invalid" in text
    assert _answer(assessment, "1.2") is None


def test_a_stale_save_overwrites_nothing_and_refreshes_the_card_with_the_stored_values(world, assessment, indicators, client_as):
    client = client_as(world.officer_a1)
    seen = _version(assessment, "1.2")  # the page was drawn before anything was saved
    _save(client, assessment, indicators["1.2"], a="4", b="10", version=seen)  # another tab saves first
    stored = _version(assessment, "1.2")
    text = _hx_save(client, assessment, indicators["1.2"], a="7", b="10", version=seen).content.decode()
    assert "vừa được lưu ở nơi khác" in text and "Không có gì bị ghi đè" in text and "Bạn đã nhập: Tử số (a) = 7" in text
    assert 'value="4"' in text and f'name="version" value="{stored}"' in text and 'data-dirty' not in text
    assert _answer(assessment, "1.2").inputs == {"a": "4", "b": "10"}
    # Without JavaScript: the message, and the page with the stored values.
    page = _save(client, assessment, indicators["1.2"], a="7", b="10", version=seen).content.decode()
    assert "vừa được lưu ở nơi khác" in page and 'value="4"' in page
    assert _answer(assessment, "1.2").inputs == {"a": "4", "b": "10"}
    with scopes_disabled():
        assert Entry.objects.filter(assessment=assessment, action="answer.saved").count() == 1


def _group_save(client, assessment, cards, group="i-1", htmx=True):
    data = {"nhom": group, "chi-tieu": [str(i.pk) for i in cards]}
    for indicator, values in cards.items():
        data |= {f"i-{indicator.pk}-{k}": v for k, v in values.items()}
    url = reverse("assessments:answers_save_group", kwargs={"province": "tinh-a", "assessment_id": assessment.pk})
    return client.post(url, data, **(HX if htmx else {}), follow=not htmx)


def test_saving_a_group_saves_every_changed_criterion_in_one_request(world, assessment, indicators, client_as):
    client = client_as(world.officer_a1)
    empty = _version(assessment, "1.2")
    text = _group_save(client, assessment, {
        indicators["1.1"]: {"value": "có", "version": empty, "note": "Cổng mới"},
        indicators["1.2"]: {"a": "2.000", "b": "2.500", "version": empty},
        indicators["1.3"]: {"count": "3", "version": empty},
    }).content.decode()
    assert "Đã lưu 3 chỉ tiêu." in text and 'data-testid="group-status"' in text
    assert _answer(assessment, "1.2").inputs == {"a": "2000", "b": "2500"} and _answer(assessment, "1.1").note == "Cổng mới"
    assert 'data-testid="grand-total">24<' in text and "Mẫu số (b) = 2.500" in text
    assert text.count('class="card entry-item') == 3  # the three cards, nothing else


def test_a_group_with_one_refused_or_stale_criterion_saves_none_of_them(world, assessment, indicators, client_as):
    client = client_as(world.officer_a1)
    empty = _version(assessment, "1.2")
    text = _group_save(client, assessment, {
        indicators["1.2"]: {"a": "4", "b": "10", "version": empty},
        indicators["1.3"]: {"count": "1.5", "version": empty},
    }).content.decode()
    assert "Chưa lưu chỉ tiêu nào: 1 chỉ tiêu có lỗi (1.3)" in text and 'value="1.5"' in text
    assert _answer(assessment, "1.2") is None and _answer(assessment, "1.3") is None
    _save(client, assessment, indicators["1.3"], count="2")  # another tab
    text = _group_save(client, assessment, {
        indicators["1.2"]: {"a": "4", "b": "10", "version": empty},
        indicators["1.3"]: {"count": "5", "version": empty},
    }).content.decode()
    assert "Chưa lưu chỉ tiêu nào: Chỉ tiêu 1.3 vừa được lưu ở nơi khác" in text
    assert _answer(assessment, "1.2") is None and _answer(assessment, "1.3").inputs == {"count": "2"}
    # Without JavaScript the same view answers with a message and a redirect.
    page = _group_save(client, assessment, {indicators["1.2"]: {"a": "4", "b": "10"}}, htmx=False).content.decode()
    assert "Đã lưu 1 chỉ tiêu." in page and _answer(assessment, "1.2").inputs == {"a": "4", "b": "10"}


def test_the_entry_page_loads_htmx_from_the_portal_and_marks_every_form_for_it(world, assessment, indicators, client_as):
    page = client_as(world.officer_a1).get(_entry(assessment)).content.decode()
    assert '<script src="/static/vendor/htmx/htmx.min.js"></script>' in page and "/static/js/entry.js" in page
    assert "cdn" not in page.lower()
    assert page.count('class="answer-form') == 4 and page.count("hx-post=") == 4 + 4 + 1  # save, upload, one group
    assert 'action="/tinh-a/tu-danh-gia/' in page  # the plain form still posts without JavaScript


# --- the answer form factory ----------------------------------------------------------------
def test_the_answer_form_reads_every_kind_of_input_as_the_rule_asks(indicators):
    from assessments.answer_forms import answer_form

    with scopes_disabled():
        ratio, count, yes_no = indicators["1.2"], indicators["1.3"], indicators["1.1"]
    form = answer_form(ratio, {"a": "1.234,5", "b": 2000, "note": " quý 4 "})
    assert form.is_valid() and form.inputs() == {"a": "1234,5", "b": "2000"} and form.note_text() == "quý 4"
    form = answer_form(ratio, {"a": "", "b": "10"})
    assert form.is_valid() and form.inputs() == {"b": "10"}  # a blank input is left for the engine to name
    assert not answer_form(count, {"count": "2,5"}).is_valid()
    assert answer_form(yes_no, {"value": "Có"}).is_valid()
    form = answer_form(yes_no, {"value": "có lẽ"})
    assert not form.is_valid() and form.error_list() == ["Có/Không: “có lẽ” không có trong các lựa chọn."]
    prefixed = answer_form(ratio, {"i-9-a": "3", "i-9-b": "4", "i-9-version": "x"}, prefix="i-9")
    assert prefixed.is_valid() and prefixed.inputs() == {"a": "3", "b": "4"} and prefixed.expected_version() == "x"
    assert answer_form(ratio, {"a": "3", "b": "4"}).is_valid() and answer_form(ratio, {"a": "3"}).expected_version() is None


def test_an_htmx_save_of_one_card_or_of_a_group_costs_the_same_queries_whatever_the_framework_size(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts, rewind = [], Rewind()
    for extra in (0, 60):
        rewind()
        period = open_period(world, world.province_a, build_framework(world.province_a, extra_leaves=extra))
        with scopes_disabled():
            assessment = Assessment.objects.get(period=period)
            indicators = {i.code: i for i in assessment.framework.indicators.all()}
        client.force_login(world.officer_a1)
        _hx_save(client, assessment, indicators["1.2"], a="1", b="10")  # warm: the session, the answer row
        with CaptureQueriesContext(connection) as one:
            assert _hx_save(client, assessment, indicators["1.2"], a="2", b="10").status_code == 200
        with CaptureQueriesContext(connection) as group:
            _group_save(client, assessment, {indicators["1.2"]: {"a": "3", "b": "10"}, indicators["1.3"]: {"count": "2"}})
        counts.append((len(one), len(group)))
    assert counts[0] == counts[1], counts

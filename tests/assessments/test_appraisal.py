"""The two-round appraisal: decisions with reasons, explanations, sign-offs, finalising, audit trail."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from assessments import appraisal
from assessments.models import Answer, Assessment, Period, Review, SignOff
from dti_portal.audit.models import Entry
from dti_portal.accounts.models import Membership, Role
from tests.conftest import make_user

S = Assessment.Status


def _review(world_user, assessment, indicator, round=1, **kwargs):
    with scope(province=assessment.period.province):
        return appraisal.review_save(assessment=assessment, indicator=indicator, round=round, reviewer=world_user, **kwargs)


def _status(assessment):
    with scopes_disabled():
        return Assessment.objects.get(pk=assessment.pk).status


def test_round_one_starts_for_submitted_units_and_tells_them(team, assessment):
    assert _status(assessment) == S.ROUND1


def test_an_adjustment_needs_a_reason_and_a_score_within_range(team, assessment, indicators):
    with pytest.raises(ValidationError, match="Cần ghi lý do"):
        _review(team.appraiser_a, assessment, indicators["1.2"], decision="adjust", inputs={"a": "3", "b": "10"})
    with pytest.raises(ValidationError, match="lớn hơn mẫu số"):
        _review(team.appraiser_a, assessment, indicators["1.2"], decision="adjust", inputs={"a": "30", "b": "10"}, reason="Sai số liệu")
    with pytest.raises(ValidationError, match="vượt điểm tối đa"):
        _review(team.appraiser2, assessment, indicators["2"], decision="adjust", points="11", reason="Quá cao")
    with pytest.raises(ValidationError, match="không phải là số"):
        _review(team.appraiser2, assessment, indicators["2"], decision="adjust", points="abc", reason="x")
    with scopes_disabled():
        assert not Review.objects.exists()


def test_adjusting_goes_through_the_engine_or_directly_for_manual_rules(team, assessment, indicators):
    r1 = _review(team.appraiser_a, assessment, indicators["1.2"], decision="adjust", inputs={"a": "3", "b": "10"},
                 reason="Chỉ 3 hồ sơ có minh chứng")
    r2 = _review(team.appraiser2, assessment, indicators["2"], decision="adjust", points="6,5", reason="Thiếu kế hoạch")
    assert r1.score == Decimal("3") and r2.score == Decimal("6.5")


def test_a_second_appraiser_saving_from_a_stale_page_is_told_of_the_conflict(team, assessment, indicators):
    _review(team.appraiser_a, assessment, indicators["2"], decision="adjust", points="5", reason="Thiếu tài liệu", expected_version=0)
    with pytest.raises(ValidationError, match="Xung đột: A Thamdinh đã lưu chỉ tiêu 2"):
        _review(team.appraiser2, assessment, indicators["2"], decision="confirm", expected_version=0)
    with scopes_disabled():
        review = Review.objects.get()
    assert (review.decision, review.score, review.reviewer) == ("adjust", Decimal("5"), team.appraiser_a)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite does not lock rows: run on PostgreSQL (CI does)")
@pytest.mark.django_db(transaction=True)
def test_two_appraisers_saving_at_the_same_moment_never_overwrite_each_other(team, assessment, indicators):
    results, barrier = [], threading.Barrier(2)

    def save(user, points):
        try:
            barrier.wait()
            _review(user, assessment, indicators["2"], decision="adjust", points=points, reason="đồng thời", expected_version=0)
            results.append("ok")
        except ValidationError as error:
            results.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=args) for args in [(team.appraiser_a, "4"), (team.appraiser2, "7")]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r[:8] for r in results) == ["Xung đột", "ok"], results
    with scopes_disabled():
        assert Review.objects.get().version == 1


def test_an_appraiser_not_assigned_to_the_unit_gets_404_and_an_officer_too(team, assessment, indicators):
    outsider = make_user("a.thamdinh3")
    with scopes_disabled():
        Membership.objects.create(user=outsider, province=team.province_a, role=Role.APPRAISER)
    url = reverse("assessments:unit_appraisal", kwargs={"province": "tinh-a", "assessment_id": assessment.pk})
    for user, status in [(outsider, 404), (team.officer_a1, 404), (team.officer_a2, 404), (team.appraiser_a, 200), (team.lead_a, 200)]:
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == status, user
    with pytest.raises(ValidationError, match="không được phân công"):
        _review(outsider, assessment, indicators["1.2"], decision="confirm")


def test_acting_outside_the_rounds_window_is_refused(team, assessment, indicators):
    with scopes_disabled():
        Period.objects.filter(pk=assessment.period_id).update(round1_end=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError, match="Đã hết thời gian thẩm định lần 1"):
        _review(team.appraiser_a, assessment, indicators["1.2"], decision="confirm")


def _round_one(team, assessment, indicators):
    _review(team.appraiser_a, assessment, indicators["1.2"], decision="adjust", inputs={"a": "3", "b": "10"}, reason="Chỉ 3 hồ sơ")
    _review(team.appraiser2, assessment, indicators["2"], decision="adjust", points="5", reason="Thiếu kế hoạch")
    with scope(province=team.province_a):
        assert appraisal.confirm_all(assessment=assessment, round=1, reviewer=team.appraiser_a) == 2  # 1.1 and 1.3


def test_the_lead_cannot_close_round_one_while_decisions_are_missing(team, assessment, indicators):
    _review(team.appraiser_a, assessment, indicators["1.2"], decision="confirm")
    with scope(province=team.province_a), pytest.raises(ValidationError, match="Sở Y tế \\(3 chỉ tiêu\\)"):
        appraisal.round1_close(period=assessment.period, actor=team.lead_a)


def test_the_whole_appraisal_from_round_one_to_the_final_result(team, assessment, indicators, client_as, django_capture_on_commit_callbacks):
    _round_one(team, assessment, indicators)
    mail.outbox.clear()
    with scope(province=team.province_a), django_capture_on_commit_callbacks(execute=True):
        assert appraisal.round1_close(period=assessment.period, actor=team.lead_a) == {"returned": 1, "round2": 0}
    assert _status(assessment) == S.RETURNED
    assert [m.to for m in mail.outbox] == [["canbo@so-y-te.vn"]] and "mời giải trình" in mail.outbox[0].subject

    officer = client_as(team.officer_a1)
    entry = reverse("assessments:entry", kwargs={"province": "tinh-a", "assessment_id": assessment.pk})
    page = officer.get(entry).content.decode()
    assert "Thẩm định lần 1 — Điều chỉnh điểm: <b>3</b> điểm. Lý do: Chỉ 3 hồ sơ" in page
    save = lambda code, text: officer.post(reverse("assessments:explanation_save", kwargs={  # noqa: E731
        "province": "tinh-a", "assessment_id": assessment.pk, "indicator_id": indicators[code].pk}), {"explanation": text}, follow=True)
    assert "Đã lưu giải trình chỉ tiêu 1.2." in save("1.2", "Bổ sung danh sách 4 hồ sơ").content.decode()
    assert "Chỉ giải trình các chỉ tiêu được điều chỉnh" in save("1.1", "không cần").content.decode()
    officer.post(reverse("assessments:explanation_submit", kwargs={"province": "tinh-a", "assessment_id": assessment.pk}))
    assert _status(assessment) == S.EXPLAINED

    with scope(province=team.province_a):
        appraisal.round2_start(period=assessment.period, actor=team.lead_a)
    _review(team.appraiser_a, assessment, indicators["1.2"], round=2, decision="withdraw", reason="Chấp nhận giải trình")
    _review(team.appraiser2, assessment, indicators["2"], round=2, decision="confirm")
    with scope(province=team.province_a):
        with pytest.raises(ValidationError, match="còn chỉ tiêu chưa thẩm định lần 2: 1.1, 1.3"):
            appraisal.sign_off(assessment=assessment, appraiser=team.appraiser_a)
        appraisal.confirm_all(assessment=assessment, round=2, reviewer=team.appraiser_a)
        appraisal.sign_off(assessment=assessment, appraiser=team.appraiser_a)
        with pytest.raises(ValidationError, match="đã ký xác nhận đơn vị này rồi"):
            appraisal.sign_off(assessment=assessment, appraiser=team.appraiser_a)
        with pytest.raises(ValidationError, match="còn thiếu chữ ký của A Thamdinh2"):
            appraisal.finalise(assessment=assessment, actor=team.lead_a)
        appraisal.sign_off(assessment=assessment, appraiser=team.appraiser2)
        appraisal.finalise(assessment=assessment, actor=team.lead_a)
    assert _status(assessment) == S.FINAL
    with scopes_disabled():
        final = {a.indicator.code: (a.final_score, a.reason) for a in Answer.objects.filter(assessment=assessment).select_related("indicator")}
    assert final["1.2"] == (Decimal("4"), "")                    # adjustment withdrawn after the explanation
    assert final["2"] == (Decimal("5"), "Thiếu kế hoạch")         # adjustment kept, with its reason
    page = officer.get(entry).content.decode()
    assert 'data-testid="result-2">Tự chấm: <b>8</b> · Thẩm định lần 1: <b>5</b> · Điểm chính thức: <b>5</b> · Lý do mất điểm: Thiếu kế hoạch' in page
    board = client_as(team.lead_a).get(reverse("assessments:unit_appraisal", kwargs={"province": "tinh-a", "assessment_id": assessment.pk}))
    assert "Đã ký: A Thamdinh lúc" in board.content.decode()


def test_only_a_province_admin_reopens_a_final_result_with_a_reason(team, assessment, indicators):
    with scopes_disabled():
        Assessment.objects.filter(pk=assessment.pk).update(status=S.FINAL)
        SignOff.objects.create(assessment=assessment, appraiser=team.appraiser_a)
    url = reverse("assessments:reopen", kwargs={"province": "tinh-a", "assessment_id": assessment.pk})
    lead = Client()
    lead.force_login(team.lead_a)
    assert lead.post(url, {"reason": "x"}).status_code == 403
    admin = Client()
    admin.force_login(team.admin_a)
    assert "Cần ghi lý do mở lại." in admin.post(url, {"reason": " "}, follow=True).content.decode()
    assert _status(assessment) == S.FINAL
    admin.post(url, {"reason": "Sai sót khi nhập điểm chỉ tiêu 2"})
    assert _status(assessment) == S.ROUND2
    with scopes_disabled():
        event = Entry.objects.get(assessment=assessment, action="assessment.reopened")
        assert not SignOff.objects.filter(assessment=assessment).exists()
    assert event.reason == "Sai sót khi nhập điểm chỉ tiêu 2" and event.actor == team.admin_a and "A Thamdinh" in event.old["signoffs"][0]


def test_the_audit_trail_downloads_as_csv(team, assessment, indicators, client_as):
    _review(team.appraiser_a, assessment, indicators["1.2"], decision="adjust", inputs={"a": "3", "b": "10"}, reason="Chỉ 3 hồ sơ")
    response = client_as(team.lead_a).get(reverse("assessments:history_csv", kwargs={"province": "tinh-a", "assessment_id": assessment.pk}))
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "Thời gian,Người thực hiện,Chỉ tiêu,Việc,Thay đổi,Lý do / ghi chú"
    assert "Thẩm định lần 1: Điều chỉnh điểm" in text and "Chỉ 3 hồ sơ" in text and "Gửi bản tự đánh giá" in text
    assert "assessment.round1.adjust" not in text and "{'" not in text


def test_the_reminder_command_reminds_before_deadlines_and_marks_units_that_never_reported(
    world, client, django_capture_on_commit_callbacks
):
    from tests.assessments.conftest import build_framework, open_period

    period = open_period(world, world.province_a, build_framework(world.province_a), start=-10, end=3)
    with scopes_disabled():
        world.officer_a1.email = "canbo@so-y-te.vn"
        world.officer_a1.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--days", "3")
    assert [m.to for m in mail.outbox] == [["canbo@so-y-te.vn"]] and "Nhắc hạn" in mail.outbox[0].subject
    later = (timezone.localdate() + timedelta(days=4)).isoformat()
    call_command("send_reminders", "--today", later)
    with scopes_disabled():
        assert Assessment.objects.get(period=period).status == S.NOT_REPORTED


def test_the_board_shows_progress_per_unit_and_per_appraiser_and_hides_other_units(team, assessment, indicators, client_as):
    _review(team.appraiser_a, assessment, indicators["1.2"], decision="confirm")
    url = reverse("assessments:appraisal_board", kwargs={"province": "tinh-a", "period_id": assessment.period_id})
    page = client_as(team.lead_a).get(url).content.decode()
    assert 'data-unit="Sở Y tế"' in page and "A Thamdinh</td><td>1</td><td class=\"num\">1</td>" in page
    outsider = make_user("a.thamdinh9")
    with scopes_disabled():
        Membership.objects.create(user=outsider, province=team.province_a, role=Role.APPRAISER)
    other = Client()
    other.force_login(outsider)
    assert 'data-unit="Sở Y tế"' not in other.get(url).content.decode()


def test_in_the_explanation_window_evidence_is_added_only_to_criteria_round_one_adjusted_or_queried(
        team, assessment, indicators, client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments.services import evidence_add

    _round_one(team, assessment, indicators)  # 1.2 and 2 adjusted; 1.1 and 1.3 confirmed
    with scope(province=team.province_a):
        appraisal.round1_close(period=assessment.period, actor=team.lead_a)
        assessment.refresh_from_db()
        pdf = lambda: SimpleUploadedFile("bo-sung.pdf", b"%PDF-1.4 danh sach\n%%EOF\n")  # noqa: E731
        assert evidence_add(assessment=assessment, indicator=indicators["1.2"], upload=pdf(), actor=team.officer_a1).pk
        with pytest.raises(ValidationError, match="chỉ bổ sung tài liệu cho chỉ tiêu mà thẩm định lần 1 đã điều chỉnh "
                                                  "điểm hoặc yêu cầu bổ sung; chỉ tiêu 1.1 không thuộc số đó"):
            evidence_add(assessment=assessment, indicator=indicators["1.1"], upload=pdf(), actor=team.officer_a1)
    page = client_as(team.officer_a1).get(reverse("assessments:entry", kwargs={"province": "tinh-a", "assessment_id": assessment.pk}))
    text = page.content.decode()
    assert 'aria-label="Tài liệu kiểm chứng cho 1.2"' in text and 'aria-label="Tài liệu kiểm chứng cho 1.1"' not in text


def test_a_too_long_explanation_is_refused_with_what_was_typed_never_cut(team, assessment, indicators, client_as):
    _round_one(team, assessment, indicators)
    with scope(province=team.province_a):
        appraisal.round1_close(period=assessment.period, actor=team.lead_a)
    officer = client_as(team.officer_a1)
    url = reverse("assessments:explanation_save", kwargs={"province": "tinh-a", "assessment_id": assessment.pk,
                                                          "indicator_id": indicators["1.2"].pk})
    long_text = "Bổ sung danh sách hồ sơ. " * 250  # 6 250 characters
    refused = officer.post(url, {"explanation": long_text})
    page = refused.content.decode()
    assert refused.status_code == 400 and "Giải trình dài 6250 ký tự; tối đa 5000." in page
    assert long_text.strip() in page  # nothing lost: the text is there to shorten
    with scopes_disabled():
        assert Answer.objects.get(assessment=assessment, indicator=indicators["1.2"]).explanation == ""
    assert officer.post(url, {"explanation": "Bổ sung danh sách 4 hồ sơ"}).status_code == 302
    with scopes_disabled():
        assert Answer.objects.get(assessment=assessment, indicator=indicators["1.2"]).explanation == "Bổ sung danh sách 4 hồ sơ"

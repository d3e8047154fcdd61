"""Irreversible acts ask first: GET shows what will happen (which units, what becomes read-only, who
is told), POST acts; at the wrong stage the page and the POST say why not; the board offers only
the act that fits the stage."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from assessments import appraisal
from assessments.models import Assessment, Period, SignOff
from tests.assessments.conftest import build_framework, open_period

S = Assessment.Status
ACTS = ("bat-dau-vong-1", "dong-vong-1", "bat-dau-vong-2")


def _set(assessment, status):
    """Set-up shortcut: the services reaching each state are tested in test_appraisal.py."""
    with scopes_disabled():
        Assessment.objects.filter(pk=assessment.pk).update(status=status)


def _status(assessment):
    with scopes_disabled():
        return Assessment.objects.get(pk=assessment.pk).status


def _act_url(assessment, act):
    return reverse("assessments:lead_act", kwargs={"province": "tinh-a", "period_id": assessment.period_id, "act": act})


def _unit_url(name, assessment):
    return reverse(f"assessments:{name}", kwargs={"province": "tinh-a", "assessment_id": assessment.pk})


def _board(client, assessment) -> str:
    url = reverse("assessments:appraisal_board", kwargs={"province": "tinh-a", "period_id": assessment.period_id})
    return client.get(url).content.decode()


def _offered(page) -> list[str]:
    return [act for act in ACTS if f'data-act="{act}"' in page]


def _decide_round_one(team, assessment, indicators):
    with scope(province=team.province_a):
        appraisal.review_save(assessment=assessment, indicator=indicators["1.2"], round=1, decision="adjust",
                              reviewer=team.appraiser_a, inputs={"a": "3", "b": "10"}, reason="Chỉ 3 hồ sơ")
        appraisal.review_save(assessment=assessment, indicator=indicators["2"], round=1, decision="adjust",
                              reviewer=team.appraiser2, points="5", reason="Thiếu kế hoạch")
        appraisal.confirm_all(assessment=assessment, round=1, reviewer=team.appraiser_a)


def _sign_all(team, assessment):
    with scopes_disabled():
        for appraiser in (team.appraiser_a, team.appraiser2):
            SignOff.objects.get_or_create(assessment=assessment, appraiser=appraiser)


# --- the board -------------------------------------------------------------------------------
def test_the_board_offers_only_the_act_that_fits_each_stage(team, assessment, client_as):
    lead = client_as(team.lead_a)
    finalise = _unit_url("finalise", assessment)
    _set(assessment, S.SUBMITTED)
    assert _offered(_board(lead, assessment)) == ["bat-dau-vong-1"]
    _set(assessment, S.ROUND1)
    assert _offered(_board(lead, assessment)) == ["dong-vong-1"]
    _set(assessment, S.RETURNED)  # the explanation window is still open
    page = _board(lead, assessment)
    assert _offered(page) == [] and "1 đơn vị đang giải trình (hạn" in page
    _set(assessment, S.EXPLAINED)
    assert _offered(_board(lead, assessment)) == ["bat-dau-vong-2"]
    _set(assessment, S.ROUND2)
    page = _board(lead, assessment)
    assert _offered(page) == [] and finalise not in page and "đang thẩm định lần 2" in page
    _sign_all(team, assessment)
    page = _board(lead, assessment)
    assert _offered(page) == [] and f'href="{finalise}"' in page  # every appraiser signed: finalising is offered
    _set(assessment, S.FINAL)
    page = _board(lead, assessment)
    assert _offered(page) == [] and finalise not in page and "Mọi đơn vị đã chốt kết quả" in page


def test_a_returned_unit_whose_explanation_window_closed_makes_round_two_fit(team, assessment, client_as):
    _set(assessment, S.RETURNED)
    with scopes_disabled():
        Period.objects.filter(pk=assessment.period_id).update(explanation_end=timezone.localdate() - timedelta(days=1))
    assert _offered(_board(client_as(team.lead_a), assessment)) == ["bat-dau-vong-2"]


def test_the_board_offers_no_act_to_an_appraiser(team, assessment, client_as):
    _set(assessment, S.SUBMITTED)
    page = _board(client_as(team.appraiser_a), assessment)
    assert _offered(page) == [] and 'data-testid="stage"' not in page


def test_the_unit_page_links_to_the_confirmation_pages_instead_of_acting(team, assessment, client_as):
    _set(assessment, S.ROUND2)
    page = client_as(team.lead_a).get(_unit_url("unit_appraisal", assessment)).content.decode()
    assert f'<a class="btn btn-danger" href="{_unit_url("finalise", assessment)}">Chốt kết quả…</a>' in page
    assert f'action="{_unit_url("finalise", assessment)}"' not in page
    _set(assessment, S.FINAL)
    page = client_as(team.admin_a).get(_unit_url("unit_appraisal", assessment)).content.decode()
    assert f'href="{_unit_url("reopen", assessment)}">Mở lại kết quả…</a>' in page


# --- period acts -----------------------------------------------------------------------------
def test_starting_round_one_shows_which_units_move_and_what_is_locked_then_acts_on_post(team, assessment, client_as):
    _set(assessment, S.SUBMITTED)
    lead = client_as(team.lead_a)
    response = lead.get(_act_url(assessment, "bat-dau-vong-1"))
    page = response.content.decode()
    assert response.status_code == 200 and "1 đơn vị chuyển trạng thái." in page
    assert "<td>Sở Y tế</td><td>Đã gửi</td><td><b>Thẩm định lần 1</b></td>" in page
    assert "đơn vị không sửa, không rút lại được nữa" in page and "cán bộ đầu mối của đơn vị" in page
    assert 'data-testid="refusal"' not in page and _status(assessment) == S.SUBMITTED  # GET changes nothing
    response = lead.post(_act_url(assessment, "bat-dau-vong-1"), follow=True)
    assert "Đã bắt đầu thẩm định lần 1 cho 1 đơn vị." in response.content.decode() and _status(assessment) == S.ROUND1


def test_starting_round_one_again_is_refused_with_a_vietnamese_message(team, assessment, client_as):
    lead = client_as(team.lead_a)
    page = lead.get(_act_url(assessment, "bat-dau-vong-1")).content.decode()
    assert "Không có bản tự đánh giá nào đã gửi để thẩm định." in page and "disabled" in page
    response = lead.post(_act_url(assessment, "bat-dau-vong-1"))
    assert response.status_code == 400 and "Không có bản tự đánh giá nào đã gửi để thẩm định." in response.content.decode()
    assert _status(assessment) == S.ROUND1


def test_closing_round_one_says_which_units_are_returned_and_who_is_told(team, assessment, indicators, client_as):
    _decide_round_one(team, assessment, indicators)
    lead = client_as(team.lead_a)
    page = lead.get(_act_url(assessment, "dong-vong-1")).content.decode()
    assert "<td>Sở Y tế</td><td>Thẩm định lần 1</td><td><b>Chờ giải trình</b></td>" in page
    assert "2 chỉ tiêu được điều chỉnh hoặc yêu cầu bổ sung" in page
    assert "Quyết định thẩm định lần 1 bị khoá" in page and "(mời giải trình)" in page
    assert _status(assessment) == S.ROUND1
    response = lead.post(_act_url(assessment, "dong-vong-1"), follow=True)
    assert "Đã đóng vòng 1: 1 đơn vị chờ giải trình, 0 đơn vị sang vòng 2." in response.content.decode()
    assert _status(assessment) == S.RETURNED


def test_closing_round_one_with_decisions_missing_is_refused_on_the_page_and_on_post(team, assessment, client_as):
    lead = client_as(team.lead_a)
    page = lead.get(_act_url(assessment, "dong-vong-1")).content.decode()
    assert "Chưa đóng được vòng 1: còn chỉ tiêu chưa thẩm định ở Sở Y tế (4 chỉ tiêu)." in page
    assert '<button class="btn btn-danger" type="submit" disabled>' in page
    response = lead.post(_act_url(assessment, "dong-vong-1"))
    assert response.status_code == 400 and "Sở Y tế (4 chỉ tiêu)" in response.content.decode()
    assert _status(assessment) == S.ROUND1


def test_starting_round_two_shows_the_explained_units_then_acts(team, assessment, client_as):
    _set(assessment, S.EXPLAINED)
    lead = client_as(team.lead_a)
    page = lead.get(_act_url(assessment, "bat-dau-vong-2")).content.decode()
    assert "<td>Sở Y tế</td><td>Đã giải trình</td><td><b>Thẩm định lần 2</b></td>" in page
    assert "Giải trình của các đơn vị này bị khoá" in page
    lead.post(_act_url(assessment, "bat-dau-vong-2"))
    assert _status(assessment) == S.ROUND2
    response = lead.post(_act_url(assessment, "bat-dau-vong-2"))
    assert response.status_code == 400 and "Không có đơn vị nào đã giải trình" in response.content.decode()


def test_an_unknown_act_is_404_and_an_appraiser_may_not_act(team, assessment, client_as):
    assert client_as(team.lead_a).get(_act_url(assessment, "xoa-het")).status_code == 404
    _set(assessment, S.SUBMITTED)
    appraiser = client_as(team.appraiser_a)
    assert appraiser.get(_act_url(assessment, "bat-dau-vong-1")).status_code == 403
    assert appraiser.post(_act_url(assessment, "bat-dau-vong-1")).status_code == 403
    assert _status(assessment) == S.SUBMITTED


def test_another_provinces_period_and_assessment_answer_404(team, assessment, client_as):
    framework = build_framework(team.province_b)
    period_b = open_period(team, team.province_b, framework)
    with scopes_disabled():
        foreign = Assessment.objects.get(period=period_b)
        Assessment.objects.filter(pk=foreign.pk).update(status=S.FINAL)
    lead = client_as(team.lead_a)
    for act in ACTS:
        url = reverse("assessments:lead_act", kwargs={"province": "tinh-a", "period_id": period_b.pk, "act": act})
        assert lead.get(url).status_code == 404 and lead.post(url).status_code == 404
    admin = client_as(team.admin_a)
    for name in ("finalise", "reopen"):
        url = reverse(f"assessments:{name}", kwargs={"province": "tinh-a", "assessment_id": foreign.pk})
        assert admin.get(url).status_code == 404 and admin.post(url, {"reason": "x"}).status_code == 404
    assert _status(foreign) == S.FINAL


# --- one unit's acts -------------------------------------------------------------------------
def test_finalising_names_the_missing_signatures_then_shows_the_final_total_and_acts(team, assessment, client_as):
    _set(assessment, S.ROUND2)
    lead = client_as(team.lead_a)
    url = _unit_url("finalise", assessment)
    page = lead.get(url).content.decode()
    assert "Chưa chốt được: còn thiếu chữ ký của A Thamdinh, A Thamdinh2." in page and "disabled" in page
    response = lead.post(url)
    assert response.status_code == 400 and "còn thiếu chữ ký" in response.content.decode() and _status(assessment) == S.ROUND2
    _sign_all(team, assessment)
    page = lead.get(url).content.decode()
    assert 'data-testid="refusal"' not in page and "<td><b>Đã chốt kết quả</b></td>" in page
    assert "tổng điểm chính thức: 16" in page  # 0 + 4 + 4 + 8 (nothing adjusted)
    assert "chỉ quản trị tỉnh mở lại được" in page and "Đã ký: A Thamdinh (" in page
    response = lead.post(url, follow=True)
    assert "Đã chốt kết quả." in response.content.decode() and _status(assessment) == S.FINAL


def test_finalising_at_the_wrong_stage_is_refused(team, assessment, client_as):
    lead = client_as(team.lead_a)
    page = lead.get(_unit_url("finalise", assessment)).content.decode()
    assert "Chỉ chốt được bản đánh giá đang ở vòng thẩm định lần 2 (đơn vị này đang: thẩm định lần 1)." in page
    response = lead.post(_unit_url("finalise", assessment))
    assert response.status_code == 400 and "Chỉ chốt được bản đánh giá đang ở vòng thẩm định lần 2" in response.content.decode()
    assert _status(assessment) == S.ROUND1


def test_reopening_shows_the_signatures_it_clears_and_keeps_the_typed_reason_when_refused(team, assessment, client_as):
    _set(assessment, S.FINAL)
    with scopes_disabled():
        SignOff.objects.create(assessment=assessment, appraiser=team.appraiser_a)
    admin = client_as(team.admin_a)
    url = _unit_url("reopen", assessment)
    page = admin.get(url).content.decode()
    assert "<td>Sở Y tế</td><td>Đã chốt kết quả</td><td><b>Thẩm định lần 2</b></td>" in page
    assert "Các chữ ký bị huỷ (được lưu trong nhật ký): A Thamdinh." in page and 'name="reason"' in page
    response = admin.post(url, {"reason": "   "})
    assert response.status_code == 400 and "Cần ghi lý do mở lại." in response.content.decode() and _status(assessment) == S.FINAL
    response = admin.post(url, {"reason": "Sai sót ở chỉ tiêu 2"}, follow=True)
    assert "Đã mở lại kết quả" in response.content.decode() and _status(assessment) == S.ROUND2


def test_reopening_what_is_not_final_is_refused_and_a_lead_may_not(team, assessment, client_as):
    admin = client_as(team.admin_a)
    page = admin.get(_unit_url("reopen", assessment)).content.decode()
    assert "Chỉ mở lại được kết quả đã chốt (chưa công bố); đơn vị này đang: thẩm định lần 1." in page
    assert admin.post(_unit_url("reopen", assessment), {"reason": "x"}).status_code == 400
    _set(assessment, S.PUBLISHED)
    assert "Kết quả đã được công bố nên không mở lại được." in admin.get(_unit_url("reopen", assessment)).content.decode()
    _set(assessment, S.FINAL)
    assert client_as(team.lead_a).get(_unit_url("reopen", assessment)).status_code == 403
    assert _status(assessment) == S.FINAL


@pytest.mark.parametrize("act", ACTS)
def test_a_confirmation_page_costs_the_same_queries_for_one_unit_or_many(team, assessment, client_as, act):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dti_portal.tenancy.services import unit_create

    lead = client_as(team.lead_a)
    url = _act_url(assessment, act)
    lead.get(url)
    with CaptureQueriesContext(connection) as one:
        lead.get(url)
    with scopes_disabled():
        kind = team.province_a.unit_kinds.get(code="so")
        for n in range(5):
            unit = unit_create(actor=None, province=team.province_a, kind=kind, name=f"Sở thêm {n}")
            Assessment.objects.create(period_id=assessment.period_id, unit=unit, framework_id=assessment.framework_id,
                                      status=S.ROUND1)
    with CaptureQueriesContext(connection) as many:
        assert "Sở thêm 4" in lead.get(url).content.decode() or act != "dong-vong-1"
    assert len(many) == len(one)

"""The data-entry page of a final result: each criterion's badge shows the score that counts."""

from decimal import Decimal

from django.urls import reverse
from django_scopes import scopes_disabled

from assessments.models import Answer, Assessment


def test_a_final_results_badge_shows_the_final_score_not_the_self_score(team, assessment, indicators, client_as):
    with scopes_disabled():
        Answer.objects.filter(assessment=assessment, indicator=indicators["2"]).update(final_score=Decimal("5"), reason="Thiếu kế hoạch")
        Answer.objects.filter(assessment=assessment).exclude(indicator=indicators["2"]).update(final_score=Decimal("0"))
        Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.FINAL)
    entry = reverse("assessments:entry", kwargs={"province": "tinh-a", "assessment_id": assessment.pk})
    page = client_as(team.officer_a1).get(entry).content.decode()
    assert 'data-testid="score-2">5 / 10 điểm' in page                 # the final score, not the self-score 8
    assert 'data-testid="score-1.1">0 / 10 điểm' in page               # a final 0 is shown, not hidden
    assert "Tự chấm: <b>8</b>" in page                                   # the self-score stays in the result line
    assert 'data-testid="subtotal-1">0 / ' in page                      # the group's subtotal is the final one too


def test_before_the_result_is_final_the_badge_shows_the_self_score(team, assessment, indicators, client_as):
    entry = reverse("assessments:entry", kwargs={"province": "tinh-a", "assessment_id": assessment.pk})
    page = client_as(team.officer_a1).get(entry).content.decode()
    assert 'data-testid="score-2">8 / 10 điểm' in page

"""A merged province's open period goes on in the province it was merged into: its accounts, whose roles
moved there, submit, appraise and finalise it under the receiving tenant's URLs; the period keeps its
province ("tinh-a, 2025"), the notifications and their links go to the receiving tenant."""

from datetime import date, timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from assessments.models import Assessment, Assignment
from assessments.services import answer_save
from dti_portal.accounts.models import Notification
from dti_portal.tenancy.services import province_merge

from .conftest import build_framework, open_period


def _merged(world):
    """tinh-a opens its 2025 period, its officer answers; then tinh-a is merged into tinh-b (nobody has submitted)."""
    framework = build_framework(world.province_a)
    period = open_period(world, world.province_a, framework)
    with scopes_disabled():
        assessment = Assessment.objects.select_related("period", "framework").get(period=period, unit=world.unit_a1)
        indicators = {i.code: i for i in assessment.framework.indicators.all()}
    with scope(province=world.province_a):
        period.round1_end, period.explanation_end, period.round2_end = (
            timezone.localdate() + timedelta(days=d) for d in (10, 20, 30))
        period.lead = world.lead_a
        period.save()
        for code, inputs in [("1.1", {"value": "không"}), ("1.2", {"a": "4", "b": "10"}), ("1.3", {"count": "2"}),
                             ("2", {"points": "8"})]:
            answer_save(assessment=assessment, indicator=indicators[code], inputs=inputs, note="", actor=world.officer_a1)
    with scopes_disabled():
        province_merge(source=world.province_a, target=world.province_b, effective_date=date(2025, 7, 1),
                       actor=world.platform_admin)
    return period, assessment, indicators


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _status(assessment):
    with scopes_disabled():
        return Assessment.objects.get(pk=assessment.pk).status


def test_a_merged_provinces_open_period_is_submitted_appraised_and_finalised_by_the_moved_accounts(world):
    period, assessment, indicators = _merged(world)
    b = {"province": "tinh-b"}
    officer, lead, appraiser = _as(world.officer_a1), _as(world.lead_a), _as(world.appraiser_a)

    # The lead's and the admin's pages of the receiving tenant list the period, labelled with its province.
    home = lead.get(reverse("assessments:lead_home", kwargs=b)).content.decode()
    assert period.name in home and "Tỉnh Tỉnh A (cũ)" in home
    assert "Tỉnh Tỉnh A (cũ)" in _as(world.admin_a).get(reverse("assessments:period_list", kwargs=b)).content.decode()
    assert "Tỉnh Tỉnh A (cũ)" in _as(world.admin_b).get(reverse("assessments:period_list", kwargs=b)).content.decode()

    # The lead assigns the appraiser (a person of the receiving tenant now) to the unit.
    response = lead.post(reverse("assessments:assignment_add", kwargs=b | {"period_id": period.pk}),
                         {"appraiser": world.appraiser_a.pk, "unit": world.unit_a1.pk})
    assert response.status_code == 302
    with scopes_disabled():
        assert Assignment.objects.filter(period=period, appraiser=world.appraiser_a, unit=world.unit_a1).exists()

    # The officer submits under /tinh-b/.
    entry = {"province": "tinh-b", "assessment_id": assessment.pk}
    assert officer.get(reverse("assessments:entry", kwargs=entry)).status_code == 200
    response = officer.post(reverse("assessments:submit", kwargs=entry))
    assert _status(assessment) == Assessment.Status.SUBMITTED, response.content.decode()[-3000:]

    # Round 1, confirmation, round 2, signature and the final result, all under /tinh-b/.
    act = lambda name: lead.post(reverse("assessments:lead_act", kwargs=b | {"period_id": period.pk, "act": name}))  # noqa: E731
    assert act("bat-dau-vong-1").status_code == 302
    assert _status(assessment) == Assessment.Status.ROUND1
    appraiser.post(reverse("assessments:confirm_all", kwargs=entry))
    assert act("dong-vong-1").status_code == 302
    assert _status(assessment) == Assessment.Status.ROUND2
    appraiser.post(reverse("assessments:confirm_all", kwargs=entry))
    appraiser.post(reverse("assessments:sign", kwargs=entry))
    assert lead.post(reverse("assessments:finalise", kwargs=entry)).status_code == 302
    assert _status(assessment) == Assessment.Status.FINAL

    with scopes_disabled():
        assessment.refresh_from_db()
        assert assessment.period.province_id == world.province_a.pk  # the period stays tinh-a's
        notified = list(Notification.objects.filter(link__contains=f"/{assessment.pk}/"))
    # Every notification of the period's acts reaches the people where their roles are now, linked there.
    assert notified and {n.province_id for n in notified} == {world.province_b.pk}
    assert all(n.link.startswith("/tinh-b/") for n in notified)


def test_the_officers_old_link_leads_to_the_same_page_under_the_receiving_tenant(world):
    _, assessment, _ = _merged(world)
    response = _as(world.officer_a1).get(f"/tinh-a/tu-danh-gia/{assessment.pk}/", follow=True)
    assert response.redirect_chain[0] == (f"/tinh-b/tu-danh-gia/{assessment.pk}/", 301)
    assert response.status_code == 200


def test_a_third_province_sees_nothing_of_the_merged_period(world):
    period, assessment, _ = _merged(world)
    from tests.conftest import make_user
    from dti_portal.accounts.models import Membership, Role
    from dti_portal.tenancy import services as tenancy_services

    with scopes_disabled():
        third = tenancy_services.province_create(slug="tinh-c", name="Tỉnh C", coordinating_agency="Sở C", actor=None)
        admin_c = make_user("c.quantri")
        Membership.objects.create(user=admin_c, province=third, role=Role.PROVINCE_ADMIN)
    client = _as(admin_c)
    assert client.get(reverse("assessments:period_detail", kwargs={"province": "tinh-c", "period_id": period.pk})).status_code == 404
    assert period.name not in client.get(reverse("assessments:period_list", kwargs={"province": "tinh-c"})).content.decode()

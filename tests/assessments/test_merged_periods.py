"""Periods of a tenant that received a merged province (issue 13, part 1): the merged province's periods
are listed, opened, appraised and queued under the receiving tenant, labelled with their province;
the home pages list the merged province's units in their own section; a third province sees none of
it; the pages cost the same queries for 5 and for 30 units."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from assessments import appraisal, queues
from assessments.models import Assessment, Assignment, Period
from assessments.services import answers_save_bulk, assessment_submit, period_save
from dti_portal.accounts.models import Membership, Role
from dti_portal.tenancy.models import Province
from dti_portal.tenancy.services import province_create, province_merge, unit_create
from tests.assessments.conftest import build_framework, open_period
from tests.assessments.test_page_queries import INPUTS, _queries
from tests.conftest import Rewind, make_user

S = Assessment.Status
MERGED = "Tỉnh Tỉnh A (cũ)"
LONG = "Kỳ đánh giá của Tỉnh A cũ (hợp nhất vào Tỉnh B từ 01/07/2025)"


def _url(name, slug="tinh-b", **kwargs):
    return reverse(name, kwargs={"province": slug, **kwargs})


def _merged_period(world, units: int = 2) -> Period:
    """tinh-a opens a period for `units` sở (nobody submits), the lead and the appraiser assigned; tinh-a is
    merged into tinh-b; then, under tinh-b, half the units submit and round 1 starts."""
    with scopes_disabled():
        kind = world.province_a.unit_kinds.get(code="so")
        for n in range(units - 1):  # Sở Y tế (unit_a1) is the first
            unit_create(actor=None, province=world.province_a, kind=kind, name=f"Sở thứ {n + 2:03d}")
    framework = build_framework(world.province_a)
    period = open_period(world, world.province_a, framework)
    with scope(province=world.province_a):
        period.lead = world.lead_a
        period.save()
        for assessment in Assessment.objects.filter(period=period).select_related("unit"):
            Assignment.objects.create(period=period, appraiser=world.appraiser_a, unit=assessment.unit)
    province_merge(source=world.province_a, target=world.province_b, effective_date=date(2025, 7, 1),
                   actor=world.platform_admin)
    with scope(province=[world.province_b.pk, world.province_a.pk]):
        leaves = [i for i in framework.indicators.all() if i.rule != "sum"]
        for n, assessment in enumerate(Assessment.objects.filter(period=period).select_related("period", "unit").order_by("pk")):
            if n % 2:
                continue
            answers_save_bulk(assessment=assessment, values={i: (INPUTS[i.rule], "") for i in leaves}, actor=world.officer_a1)
            assessment_submit(assessment=assessment, actor=world.officer_a1)
        appraisal.round1_start(period=period, actor=world.lead_a)
    return period


def _get(user, url) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_the_period_pages_of_a_merged_province_say_whose_period_it_is(world):
    period = _merged_period(world)
    assert MERGED in _get(world.admin_b, _url("assessments:period_list"))
    detail = _get(world.admin_b, _url("assessments:period_detail", period_id=period.pk))
    assert LONG in detail and "Sở Y tế" in detail
    board = _get(world.lead_a, _url("assessments:appraisal_board", period_id=period.pk))
    assert LONG in board and 'id="stage-title"' in board  # the lead's acts, under the receiving tenant
    assert "Sở Y tế" in board
    # the tenant's own period is not labelled
    own = open_period(world, world.province_b, build_framework(world.province_b))
    assert 'data-testid="period-province"' not in _get(world.admin_b, _url("assessments:period_detail", period_id=own.pk))


def test_the_appraiser_and_lead_homes_queue_the_merged_provinces_period_labelled(world):
    period = _merged_period(world)
    home = _get(world.appraiser_a, _url("assessments:appraiser_home"))
    assert f"{period.name} — {MERGED}" in home  # the queue's group of the round
    assert "Đơn vị của Tỉnh A cũ (hợp nhất vào Tỉnh B từ 01/07/2025)" in home  # the units below, in their own section
    lead = _get(world.lead_a, _url("assessments:lead_home"))
    assert f"{period.name} — {MERGED}" in lead and "Đơn vị của Tỉnh A cũ" in lead
    with scope(province=[world.province_b.pk, world.province_a.pk]):
        b = Province.objects.get(pk=world.province_b.pk)
        tasks = queues.appraiser_queue(world.appraiser_a, "tinh-b", date.today(), province=b)
    assert tasks and all(t.period == f"{period.name} — {MERGED}" for t in tasks)


def test_the_admin_home_queues_the_merged_provinces_late_units(world):
    period = _merged_period(world)
    with scopes_disabled():
        Period.objects.filter(pk=period.pk).update(self_assessment_end=date(2025, 1, 1))
    home = _get(world.admin_b, _url("tenancy:admin_home"))
    assert f"{period.name} — {MERGED}" in home and "chưa gửi bản tự đánh giá" in home


def test_the_officer_of_a_merged_unit_works_on_under_the_receiving_tenant(world):
    period = _merged_period(world, units=2)
    with scopes_disabled():
        drafting = Assessment.objects.filter(period=period, status=S.DRAFT).select_related("unit").first()
        officer = make_user("a.canbo.thu2")
        Membership.objects.create(user=officer, province=world.province_b, role=Role.UNIT_OFFICER, unit=drafting.unit)
    page = _get(officer, _url("tenancy:unit_detail", unit_id=drafting.unit_id))
    assert 'data-testid="officer-queue"' in page and period.name in page and "Tỉnh A cũ" in page
    assert "Lưu" in _get(officer, _url("assessments:entry", assessment_id=drafting.pk))


def test_editing_a_merged_provinces_draft_period_offers_its_own_provinces_frameworks(world):
    framework_a = build_framework(world.province_a)
    with scope(province=world.province_a):
        draft = Period(province=world.province_a, year=2026, name="Kỳ 2026 của tỉnh A", self_assessment_start=date(2026, 3, 1),
                       self_assessment_end=date(2026, 4, 1))
        period_save(period=draft, frameworks={framework_a.unit_kind: framework_a}, actor=None)
    province_merge(source=world.province_a, target=world.province_b, effective_date=date(2025, 7, 1),
                   actor=world.platform_admin)
    form = _get(world.admin_b, _url("assessments:period_edit", period_id=draft.pk))
    assert f'<option value="{framework_a.pk}" selected>' in form
    client = Client()
    client.force_login(world.admin_b)
    response = client.post(_url("assessments:period_edit", period_id=draft.pk), {
        "year": "2026", "name": "Kỳ 2026 (tỉnh A cũ)", "self_assessment_start": "01/03/2026",
        "self_assessment_end": "15/04/2026", "framework_so": framework_a.pk})
    assert response.status_code == 302, response.content.decode()[-3000:]
    with scopes_disabled():
        draft.refresh_from_db()
        assert (draft.name, draft.province_id, draft.self_assessment_end) == (
            "Kỳ 2026 (tỉnh A cũ)", world.province_a.pk, date(2026, 4, 15))
        assert list(draft.period_frameworks.values_list("framework_id", flat=True)) == [framework_a.pk]


def test_a_third_province_sees_none_of_the_merged_periods(world):
    period = _merged_period(world)
    with scopes_disabled():
        c = province_create(slug="tinh-c", name="Tỉnh C", coordinating_agency="Sở C", actor=None)
        admin_c = make_user("c.quantri")
        lead_c = make_user("c.totruong")
        Membership.objects.create(user=admin_c, province=c, role=Role.PROVINCE_ADMIN)
        Membership.objects.create(user=lead_c, province=c, role=Role.APPRAISAL_LEAD)
    client = Client()
    client.force_login(admin_c)
    for name in ("assessments:period_detail", "assessments:period_edit", "assessments:appraisal_board"):
        assert client.get(_url(name, "tinh-c", period_id=period.pk)).status_code == 404
    assert period.name not in _get(admin_c, _url("assessments:period_list", "tinh-c"))
    assert "Sở Y tế" not in _get(lead_c, _url("assessments:lead_home", "tinh-c"))
    # and the receiving tenant's people cannot reach it under another slug
    assert Client().get(_url("assessments:period_detail", "tinh-c", period_id=period.pk)).status_code == 302  # login


PAGES = {
    "period list": lambda w, p: (w.admin_b, _url("assessments:period_list")),
    "period page": lambda w, p: (w.admin_b, _url("assessments:period_detail", period_id=p.pk)),
    "board (lead)": lambda w, p: (w.lead_a, _url("assessments:appraisal_board", period_id=p.pk)),
    "board (admin)": lambda w, p: (w.admin_b, _url("assessments:appraisal_board", period_id=p.pk)),
    "appraiser home": lambda w, p: (w.appraiser_a, _url("assessments:appraiser_home")),
    "lead home": lambda w, p: (w.lead_a, _url("assessments:lead_home")),
    "admin home": lambda w, p: (w.admin_b, _url("tenancy:admin_home")),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_merged_period_page_costs_the_same_queries_for_5_and_for_30_units(world, page):
    counts, rewind = [], Rewind()
    for units in (5, 30):
        rewind()
        period = _merged_period(world, units)
        counts.append(_queries(*PAGES[page](world, period)))
    assert counts[0] == counts[1], counts

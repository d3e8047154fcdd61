"""The permission matrix: every URL under /<province>/ answers each persona as it should.

A new view must be added here (the walk fails on a URL it does not know), so that no page
ships without its outsider → 404 / wrong role → 403 / GET on POST-only → 405 checks.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scope, scopes_disabled

from dti_portal.accounts.models import Role
from dti_portal.tenancy.models import UnitAlias

ALL = set(Role.values)

# URL name -> roles that may GET it (with ids of their own province). Others get 403,
# except as noted in UNIT_PAGES.
GET_MATRIX = {
    "province_home": ALL,
    "tenancy:admin_home": {Role.PROVINCE_ADMIN},
    "tenancy:unit_create": {Role.PROVINCE_ADMIN},
    "tenancy:unit_edit": {Role.PROVINCE_ADMIN},
    "tenancy:member_create": {Role.PROVINCE_ADMIN},
    "tenancy:unit_kind_create": {Role.PROVINCE_ADMIN},
    "tenancy:unit_detail": ALL,
    "assessments:appraiser_home": {Role.APPRAISER, Role.APPRAISAL_LEAD},
    "assessments:lead_home": {Role.APPRAISAL_LEAD},
    "rankings:leadership_home": {Role.LEADERSHIP, Role.PROVINCE_ADMIN},
    "indicators:framework_list": ALL,
    "indicators:framework_detail": ALL,
    "indicators:framework_export": ALL,
    "indicators:framework_create": {Role.PROVINCE_ADMIN},
    "indicators:framework_import": {Role.PROVINCE_ADMIN},
    "indicators:import_template": {Role.PROVINCE_ADMIN},
    "indicators:framework_edit": {Role.PROVINCE_ADMIN},
    "indicators:framework_clone": {Role.PROVINCE_ADMIN},
    "indicators:indicator_create": {Role.PROVINCE_ADMIN},
    "indicators:indicator_edit": {Role.PROVINCE_ADMIN},
    "assessments:period_list": ALL - {Role.UNIT_OFFICER},
    "assessments:period_detail": ALL - {Role.UNIT_OFFICER},
    "assessments:period_create": {Role.PROVINCE_ADMIN},
    "assessments:period_edit": {Role.PROVINCE_ADMIN},
    "assessments:entry": ALL,
    "assessments:history": ALL,
    "assessments:comparison": ALL,
    "assessments:submit": {Role.UNIT_OFFICER},
    "assessments:evidence_delete": {Role.UNIT_OFFICER},  # GET: the confirmation page
    "assessments:workbook_download": {Role.UNIT_OFFICER},
    "assessments:workbook_upload": {Role.UNIT_OFFICER},
    "assessments:carry_over": {Role.UNIT_OFFICER},
    "assessments:evidence_download": ALL,
    "assessments:appraisal_board": ALL - {Role.UNIT_OFFICER},
    "assessments:history_csv": ALL,
    # Irreversible acts: GET shows what will happen (the confirmation page), POST acts.
    "assessments:lead_act": {Role.APPRAISAL_LEAD, Role.PROVINCE_ADMIN},
    "assessments:finalise": {Role.APPRAISAL_LEAD, Role.PROVINCE_ADMIN},
    "assessments:reopen": {Role.PROVINCE_ADMIN},
    "rankings:publication_create": {Role.PROVINCE_ADMIN},
    "rankings:ranking_list": ALL,
    "rankings:ranking_detail": ALL,
    "rankings:ranking_export": ALL,
    "rankings:results_upload": {Role.PROVINCE_ADMIN},
    "rankings:publication_list": ALL - {Role.UNIT_OFFICER},
    "rankings:publication_download": ALL - {Role.UNIT_OFFICER},
    "rankings:publication_detail": ALL - {Role.UNIT_OFFICER},
    "notifications:list": ALL,
    "audit:log": {Role.PROVINCE_ADMIN, Role.LEADERSHIP},
    "national:home": ALL,  # an officer sees only their own organisation's tasks there
    "national:result": {Role.PROVINCE_ADMIN, Role.LEADERSHIP},
    "national:analysis": {Role.PROVINCE_ADMIN, Role.LEADERSHIP},
    "national:result_import": {Role.PROVINCE_ADMIN},
    "national:result_edit": {Role.PROVINCE_ADMIN},
    "national:result_peers": {Role.PROVINCE_ADMIN},
    "national:plan_create": {Role.PROVINCE_ADMIN},
    "national:plan_detail": {Role.PROVINCE_ADMIN, Role.LEADERSHIP},
    "national:plan_edit": {Role.PROVINCE_ADMIN},
    "national:task_create": {Role.PROVINCE_ADMIN},
    "national:task_detail": {Role.PROVINCE_ADMIN, Role.LEADERSHIP, Role.UNIT_OFFICER},  # the officer: own organisation's task
    "national:task_edit": {Role.PROVINCE_ADMIN},
    "national:task_delete": {Role.PROVINCE_ADMIN},  # GET: the confirmation page
    "national:report_tasks": {Role.UNIT_OFFICER},
    "national:report_edit": {Role.PROVINCE_ADMIN, Role.LEADERSHIP, Role.UNIT_OFFICER},  # others read; the owner writes
    "national:report_evidence_download": {Role.PROVINCE_ADMIN, Role.LEADERSHIP, Role.UNIT_OFFICER},
    "national:report_overview": {Role.PROVINCE_ADMIN, Role.LEADERSHIP},
    "national:report_consolidated_pdf": {Role.PROVINCE_ADMIN, Role.LEADERSHIP},
    "national:report_consolidated_xlsx": {Role.PROVINCE_ADMIN, Role.LEADERSHIP},
    "rankings:scorecard_download": ALL,  # a unit officer: only their own unit's (404 for another, tested in rankings)
}
# Published results, open to everyone (no login): only the objects' existence decides (404).
PUBLIC = {"public_home", "public_year", "public_download"}
# Pages that answer 404 (not 403) to a role without business there, like an outsider.
NOT_FOUND_FOR = {"assessments:unit_appraisal": {Role.UNIT_OFFICER}}
# The national DTI's results and plan pages: a unit officer sees only their own organisation's tasks,
# so the rest of the plan answers them 404, as another unit's page does (other roles: 403).
OFFICER_NOT_FOUND = {name for name in GET_MATRIX if name.startswith(("national:result", "national:analysis",
                                                                       "national:plan", "national:task"))}
POST_ONLY = {
    "tenancy:unit_alias_add", "tenancy:unit_merge", "tenancy:member_remove",
    "indicators:framework_delete", "indicators:framework_activate", "indicators:framework_retire",
    "indicators:indicator_delete",
    "assessments:period_open", "assessments:extension_grant", "assessments:answer_save",
    "assessments:evidence_upload", "assessments:withdraw", "assessments:answers_save_group",
    "assessments:assignment_add", "assessments:lead_set", "assessments:assignment_remove",
    "assessments:review", "assessments:confirm_all", "assessments:sign",
    "assessments:explanation_save", "assessments:explanation_submit", "assessments:workbook_confirm",
    "assessments:carry_confirm", "national:report_evidence_upload",
    "rankings:publication_retry", "rankings:publication_discard",
    "notifications:open", "notifications:mark_all",
}

# How to name an object of a province, by URL argument.
OWN_IDS = {
    "unit_id": lambda w: w.unit_a1.pk,
    "membership_id": lambda w: w.membership_a_leader.pk,
    "framework_id": lambda w: w.framework_a.pk,
    "indicator_id": lambda w: w.indicator_a.pk,
    "period_id": lambda w: w.assessment_a.period_id,
    "assessment_id": lambda w: w.assessment_a.pk,
    "evidence_id": lambda w: w.evidence_a.pk,
    "assignment_id": lambda w: w.assignment_a.pk,
    "act": lambda w: "bat-dau-vong-1",
    "year": lambda w: 2025,
    "kind_code": lambda w: "so",
    "kind": lambda w: "pdf",
    "notification_id": lambda w: w.notification_a.pk,
    "plan_id": lambda w: w.plan_a.pk,
    "task_id": lambda w: w.task_a.pk,
    "quarter": lambda w: 1,
    "report_id": lambda w: w.report_a.pk,
    "report_evidence_id": lambda w: w.report_evidence_a.pk,
}
FOREIGN_IDS = {
    "unit_id": lambda w: w.unit_b1.pk,
    "membership_id": lambda w: w.membership_b.pk,
    "framework_id": lambda w: w.framework_b.pk,
    "indicator_id": lambda w: w.indicator_b.pk,
    "period_id": lambda w: w.assessment_b.period_id,
    "assessment_id": lambda w: w.assessment_b.pk,
    "evidence_id": lambda w: w.evidence_b.pk,
    "assignment_id": lambda w: w.assignment_b.pk,
    "act": lambda w: "bat-dau-vong-1",
    "kind_code": lambda w: "so",
    "kind": lambda w: "pdf",
    "year": lambda w: 1999,  # a year with no results in province A (B's rankings are reached only through B's URL)
    "notification_id": lambda w: w.notification_b.pk,
    "plan_id": lambda w: w.plan_b.pk,
    "task_id": lambda w: w.task_b.pk,
    "quarter": lambda w: 1,
    "report_id": lambda w: w.report_b.pk,
    "report_evidence_id": lambda w: w.report_evidence_b.pk,
}


def _walk(patterns, namespace="", route=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, ns, route + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield (namespace + pattern.name if pattern.name else None), route + str(pattern.pattern)


def province_urls() -> list[tuple[str, list[str]]]:
    """(url name, argument names) of every URL under /<province>/."""
    found = []
    for name, route in _walk(get_resolver().url_patterns):
        args = re.findall(r"<(?:\w+:)?(\w+)>", route)
        if "province" in args:
            assert name, f"URL {route} has no name"
            found.append((name, [a for a in args if a != "province"]))
    return found


def _small_framework(province):
    from indicators.services import FrameworkMeta, framework_create, indicator_save

    with scopes_disabled():
        kind = province.unit_kinds.get(code="so")
    with scope(province=province):
        framework = framework_create(actor=None, province=province, meta=FrameworkMeta(name="Bộ chỉ số thử", year=2025, unit_kind=kind))
        indicator = indicator_save(actor=None, framework=framework, indicator=None, parent=None, data={
            "code": "1", "name": "Nhận thức số", "max_points": 10, "rule": "yes_no", "params": {},
            "guidance": "", "evidence_required": "", "data_source": "", "verifying_agency": ""})
    return framework, indicator


@pytest.fixture
def world2(world):
    with scopes_disabled():
        world.membership_a_leader = world.leader_a.memberships.get()
    world.framework_a, world.indicator_a = _small_framework(world.province_a)
    world.framework_b, world.indicator_b = _small_framework(world.province_b)
    world.assessment_a, world.evidence_a = _assessment_with_evidence(world, world.province_a, world.framework_a, world.officer_a1)
    world.assessment_b, world.evidence_b = _assessment_with_evidence(world, world.province_b, world.framework_b, world.officer_b1)
    world.assignment_a = _assignment(world.province_a, world.assessment_a, world.appraiser_a)
    world.assignment_b = _assignment(world.province_b, world.assessment_b, world.admin_b)
    _published_result(world.province_a, world.unit_a1)
    world.notification_a, world.notification_b = _notification(world.province_a, world.admin_a), _notification(world.province_b, world.admin_b)
    world.plan_a, world.task_a, world.report_a, world.report_evidence_a = _national(
        world.province_a, world.assessment_a, world.indicator_a, world.unit_a1, world.officer_a1)
    world.plan_b, world.task_b, world.report_b, world.report_evidence_b = _national(
        world.province_b, world.assessment_b, world.indicator_b, world.unit_b1, world.officer_b1)
    return world


def _national(province, assessment, indicator, unit, officer):
    """The province's national result of 2025, a plan with one task owned by the officer's unit, its Q1 report and a file."""
    from django.core.files.base import ContentFile

    from national.models import NationalResult, Plan, ProgressReport, ReportEvidence, Task

    with scope(province=province):
        NationalResult.objects.create(province=province, year=2025, assessment=assessment)
        plan = Plan.objects.create(province=province, name="Kế hoạch thử", base_year=2025, first_year=2025, last_year=2025)
        task = Task.objects.create(plan=plan, indicator=indicator, title="Nhiệm vụ thử", owner=unit)
        report = ProgressReport.objects.create(task=task, year=2025, quarter=1, account="Đã làm", submitted_by=officer)
        evidence = ReportEvidence(report=report, original_name="a.pdf", content_type="application/pdf", size=8, sha256="0",
                                  uploaded_by=officer)
        evidence.file.save("a.pdf", ContentFile(b"%PDF-1.4"), save=False)
        evidence.save()
    return plan, task, report, evidence


def _notification(province, user):
    from dti_portal.accounts.models import Notification

    with scope(province=province):
        return Notification.objects.create(user=user, province=province, title="Thông báo thử", link="/")


def _published_result(province, unit):
    from rankings.models import ImportedResult

    from datetime import date

    from django.core.files.base import ContentFile

    from rankings.models import Publication, Scorecard

    with scope(province=province):
        ImportedResult.objects.create(province=province, year=2025, unit_kind=unit.kind, unit=unit, total=10)
        publication = Publication(province=province, year=2025, decision_number="1/QĐ", decision_date=date(2025, 1, 1),
                                  signer="X", snapshot={"meta": {}, "tables": []}, pdf_sha256="0", xlsx_sha256="0",
                                  status=Publication.Status.PUBLISHED)
        publication.pdf.save("a.pdf", ContentFile(b"%PDF-1.4"), save=False)
        publication.xlsx.save("a.xlsx", ContentFile(b"PK"), save=False)
        publication.save()
        card = Scorecard(publication=publication, unit=unit, unit_name=unit.name, pdf_sha256="0")
        card.pdf.save("a.pdf", ContentFile(b"%PDF-1.4"), save=False)
        card.save()


def _assessment_with_evidence(world, province, framework, officer):
    """An open period where the officer's unit has an assessment with one evidence file."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from assessments.models import Assessment, Period
    from assessments.services import evidence_add, period_open, period_save

    today = timezone.localdate()
    with scope(province=province):
        framework.status = "active"
        framework.save()
        period = Period(province=province, year=2025, name="Kỳ 2025",
                        self_assessment_start=today - timedelta(days=1), self_assessment_end=today + timedelta(days=1))
        period_save(period=period, frameworks={framework.unit_kind: framework}, actor=None)
        period_open(period=period, actor=officer)
        assessment = Assessment.objects.get(period=period)
        evidence = evidence_add(assessment=assessment, indicator=world_indicator(framework), actor=officer,
                                upload=SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4\n%%EOF\n"))
    return assessment, evidence


def _assignment(province, assessment, appraiser):
    from assessments.models import Assignment

    with scope(province=province):
        return Assignment.objects.create(period=assessment.period, appraiser=appraiser, unit=assessment.unit)


def world_indicator(framework):
    return framework.indicators.get(code="1")


def _url(name, slug, ids, world):
    return reverse(name, kwargs={"province": slug} | {arg: ids[arg](world) for arg in _args(name)})


def _args(name):
    return dict(province_urls())[name]


def _request(client, url):
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    return response


def test_every_province_url_is_in_the_matrix_and_every_argument_is_known():
    for name, args in province_urls():
        assert name in GET_MATRIX or name in POST_ONLY or name in NOT_FOUND_FOR or name in PUBLIC, (
            f"{name} missing from the permission matrix")
        for arg in args:
            assert arg in FOREIGN_IDS and arg in OWN_IDS, f"{name}: register how to name a foreign {arg}"


def test_every_url_with_another_provinces_ids_answers_404(world2, client):
    """Asked by each persona of province A in turn (a view for another role answers 403 first)."""
    personas = [world2.admin_a, world2.officer_a1, world2.appraiser_a, world2.lead_a, world2.leader_a]
    checked = 0
    for name, args in province_urls():
        if not args:
            continue
        url = _url(name, "tinh-a", FOREIGN_IDS, world2)
        statuses = []
        for persona in personas:
            client.force_login(persona)
            statuses.append(_request(client, url).status_code)
        assert 404 in statuses and set(statuses) <= {403, 404}, (url, statuses)
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("role", sorted(ALL))
def test_every_url_of_a_province_where_the_user_has_no_role_answers_404(world2, client, role):
    client.force_login(world2.persona_by_role()[role])
    for name, _args_ in province_urls():
        if name == "public_home":
            continue  # open to all: lists what province B published (nothing here)
        url = _url(name, "tinh-b", FOREIGN_IDS, world2)
        assert _request(client, url).status_code == 404, url


def test_a_logged_in_user_without_any_role_gets_404_everywhere(world2, client_as):
    client = client_as(world2.nobody)
    for name, _args_ in province_urls():
        if name in PUBLIC:
            continue
        assert _request(client, _url(name, "tinh-a", OWN_IDS, world2)).status_code == 404


def test_an_unknown_province_slug_answers_404(world, client_as):
    client = client_as(world.admin_a)
    assert client.get("/khong-co-tinh-nay/").status_code == 404
    assert client.get("/khong-co-tinh-nay/quan-tri/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_login(world, client):
    response = client.get("/tinh-a/quan-tri/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", sorted(ALL))
def test_each_role_gets_exactly_the_pages_the_matrix_gives_it(world2, client, role):
    client.force_login(world2.persona_by_role()[role])
    for name, allowed in GET_MATRIX.items():
        response = client.get(_url(name, "tinh-a", OWN_IDS, world2))
        expected = {200, 302} if role in allowed else {404} if role == Role.UNIT_OFFICER and name in OFFICER_NOT_FOUND else {403}
        assert response.status_code in expected, (name, role, response.status_code)
    for name, hidden_from in NOT_FOUND_FOR.items():
        response = client.get(_url(name, "tinh-a", OWN_IDS, world2))
        assert response.status_code == (404 if role in hidden_from else 200), (name, role, response.status_code)


@pytest.mark.parametrize("name", sorted(POST_ONLY) + ["accounts:logout"])
def test_get_on_a_post_only_view_answers_405(world2, client_as, name):
    client = client_as(world2.admin_a)
    url = reverse(name) if name == "accounts:logout" else _url(name, "tinh-a", OWN_IDS, world2)
    assert client.get(url).status_code == 405


def test_a_unit_officer_opening_another_units_page_gets_404(world, client_as):
    client = client_as(world.officer_a1)
    own = reverse("tenancy:unit_detail", kwargs={"province": "tinh-a", "unit_id": world.unit_a1.pk})
    other = reverse("tenancy:unit_detail", kwargs={"province": "tinh-a", "unit_id": world.unit_a2.pk})
    assert client.get(own).status_code == 200
    assert client.get(other).status_code == 404


def test_a_form_posted_without_csrf_token_is_refused_and_changes_nothing(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin_a)
    url = reverse("tenancy:unit_alias_add", kwargs={"province": "tinh-a", "unit_id": world.unit_a1.pk})
    response = client.post(url, {"name": "Sở Y tế tỉnh A"})
    assert response.status_code == 403
    assert "mã bảo vệ (CSRF)" in response.content.decode()
    with scopes_disabled():
        assert not UnitAlias.objects.filter(unit=world.unit_a1).exists()


def test_the_login_form_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "a.quantri", "password": "x"})
    assert response.status_code == 403

"""The events of a database made before the audit log move into it, nothing lost or re-dated."""

from datetime import datetime, timezone as dt_timezone

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("assessments", "0009_answer_carried_over"), ("audit", None)]


@pytest.mark.django_db(transaction=True)
def test_assessment_events_are_copied_into_the_log_with_their_time_and_round_one_split():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps
    Province, Kind, Unit = (old.get_model("tenancy", name) for name in ("Province", "UnitKind", "Unit"))
    Framework, Period = old.get_model("indicators", "Framework"), old.get_model("assessments", "Period")
    Assessment, Event, User = old.get_model("assessments", "Assessment"), old.get_model("assessments", "Event"), old.get_model("accounts", "User")
    province = Province.objects.create(slug="cu", name="Tỉnh cũ", coordinating_agency="Sở")
    kind = Kind.objects.create(province=province, code="so", name="Sở", order=1)
    unit = Unit.objects.create(province=province, kind=kind, name="Sở Y tế", key="so y te")
    framework = Framework.objects.create(province=province, name="Bộ", year=2024, unit_kind=kind)
    period = Period.objects.create(province=province, year=2024, name="Kỳ 2024")
    assessment = Assessment.objects.create(period=period, unit=unit, framework=framework, status="round2")
    user = User.objects.create(username="a.totruong")
    then = datetime(2024, 11, 5, 8, 30, tzinfo=dt_timezone.utc)
    for action, new in [("assessment.created", {}), ("assessment.round1.closed", {"status": "returned"}),
                        ("assessment.round1.closed", {"status": "round2"})]:
        event = Event.objects.create(assessment=assessment, action=action, actor=user, new=new, reason="lý do")
        Event.objects.filter(pk=event.pk).update(created_at=then)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from django_scopes import scopes_disabled

    from dti_portal.audit.models import Entry

    with scopes_disabled():
        entries = list(Entry.objects.filter(assessment_id=assessment.pk).order_by("pk"))
    assert [e.action for e in entries] == ["assessment.created", "assessment.returned", "assessment.round1.closed"]
    assert all(e.province_id == province.pk and e.period_id == period.pk and e.actor_id == user.pk for e in entries)
    assert all(e.created_at == then and e.reason == "lý do" for e in entries)
    assert entries[0].target_label == "Sở Y tế – Kỳ 2024" and entries[0].target_type == "assessment"

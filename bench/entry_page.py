"""Benchmark: the data-entry page of a 150-indicator framework, beside a bare template page.

Both are served in the same run by Django's test client (no network), median of N requests.
Run: make bench   (or .venv/bin/python bench/entry_page.py)
"""

import os
from datetime import timedelta

from _django import median_ms, setup

setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

from assessments.models import Assessment, Period  # noqa: E402
from assessments.services import answer_save, period_open, period_save  # noqa: E402
from dti_portal.accounts.models import Membership, Role, User  # noqa: E402
from dti_portal.tenancy.services import province_create, unit_create  # noqa: E402
from indicators.models import Framework  # noqa: E402
from indicators.services import FrameworkMeta, framework_create, indicator_save  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "15"))
FIELDS = {"guidance": "Cách xác định " * 5, "evidence_required": "Văn bản", "data_source": "", "verifying_agency": ""}


def build():
    province = province_create(slug="bench", name="Tỉnh thử", coordinating_agency="Sở KH&CN")
    with scopes_disabled():
        kind = province.unit_kinds.get(code="so")
        unit = unit_create(province=province, kind=kind, name="Sở thử")
        user = User.objects.create(username="canbo")
        Membership.objects.create(user=user, province=province, role=Role.UNIT_OFFICER, unit=unit)
    with scope(province=province):
        framework = framework_create(province=province, meta=FrameworkMeta(name="Bộ 150", year=2026, unit_kind=kind))
        for g in range(1, 11):
            group = indicator_save(framework=framework, indicator=None, parent=None, data=FIELDS | {
                "code": str(g), "name": f"Nhóm {g}", "max_points": 140, "rule": "sum", "params": {}})
            for i in range(1, 15):
                rule, params = [("ratio", {}), ("count", {"per_item": 1}), ("yes_no", {}), ("manual", {})][i % 4]
                indicator_save(framework=framework, indicator=None, parent=group, data=FIELDS | {
                    "code": f"{g}.{i}", "name": f"Chỉ tiêu {g}.{i}", "max_points": 10, "rule": rule, "params": params})
        framework.status = Framework.Status.ACTIVE
        framework.save()
        today = timezone.localdate()
        period = Period(province=province, year=2026, name="Kỳ 2026", self_assessment_start=today - timedelta(days=1),
                        self_assessment_end=today + timedelta(days=30))
        period_save(period=period, frameworks={kind: framework})
        period_open(period=period, actor=user)
        assessment = Assessment.objects.get(period=period)
        for indicator in framework.indicators.filter(children__isnull=True)[:70]:  # half answered
            inputs = {"ratio": {"a": "3", "b": "4"}, "count": {"count": "4"}, "yes_no": {"value": "có"}, "manual": {"points": "5"}}[indicator.rule]
            answer_save(assessment=assessment, indicator=indicator, inputs=inputs, note="", actor=user)
        count = framework.indicators.count()
    return user, assessment, count


def get_ok(client, url):
    assert client.get(url).status_code == 200


def main():
    settings.ALLOWED_HOSTS = ["testserver"]
    setup_test_environment()
    user, assessment, count = build()
    client = Client()
    client.force_login(user)
    entry = f"/bench/tu-danh-gia/{assessment.pk}/"
    bare = "/dang-nhap/"  # a plain template page with one small form, no tenant data
    client.get(entry)
    queries = []
    # execute_wrapper sees every query (the request signals reset connection.queries).
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        assert client.get(entry).status_code == 200
    entry_ms = median_ms(lambda: get_ok(client, entry), REQUESTS)
    anonymous = Client()
    bare_ms = median_ms(lambda: get_ok(anonymous, bare), REQUESTS)
    print(f"Data-entry page benchmark: {count} indicators, median of {REQUESTS} requests, SQL queries: {len(queries)}")
    print(f"{'page':<36}{'median ms':>12}{'ratio':>8}")
    print(f"{'bare template page (login)':<36}{bare_ms:>12.1f}{1:>8.1f}")
    print(f"{'data-entry page':<36}{entry_ms:>12.1f}{entry_ms / bare_ms:>8.1f}")


if __name__ == "__main__":
    main()

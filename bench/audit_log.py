"""Benchmark: the province's audit log page and its CSV at a province's yearly size.

A province of 150 units × 150 criteria writes about 10⁵ entries in a year (every answer saved,
twice for some, both rounds' decisions, every status move). This script inserts that many, in the
proportions the services write them, then times the log page — its first page, a page deep in, and
a page filtered by period and area — beside a bare template printing the same 100 rows from plain
values made before timing. The CSV download (its 5 000 newest entries: a request never writes more)
is timed beside the `csv` module writing the same rows from plain values. Query counts are printed for the page at 10³ and 10⁵ entries (they
must be equal: tests/audit/test_log_page.py asserts it). Last, a province of the same size is merged into this
one and the log page of both (2 × 10⁵ entries) is timed the same way.
Run: make bench   (or .venv/bin/python bench/audit_log.py)
"""

import csv
import io
import os
import random
import time

from _pages import analyze, bare_url, client_for, compare, count_queries, register_bare, setup_pages

setup_pages()

from django_scopes import scopes_disabled  # noqa: E402

from assessments.history import entry_rows  # noqa: E402
from assessments.models import Assessment, Period  # noqa: E402
from dti_portal.accounts.models import Membership, Role, User  # noqa: E402
from dti_portal.audit.models import Entry  # noqa: E402
from dti_portal.audit.selectors import province_log  # noqa: E402
from dti_portal.tenancy.models import Unit  # noqa: E402
from dti_portal.tenancy.services import province_create  # noqa: E402
from indicators.models import Framework, Indicator  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "15"))
UNITS, CRITERIA = 150, 150


def _province(slug="nhat-ky", name="Tỉnh thử nhật ký", prefix="nk"):
    with scopes_disabled():
        province = province_create(slug=slug, name=name, coordinating_agency="Sở KH&CN", actor=None)
        kind = province.unit_kinds.get(code="xa")
        framework = Framework.objects.create(province=province, name="Bộ chỉ số xã", year=2025, unit_kind=kind)
        indicators = Indicator.objects.bulk_create(
            Indicator(framework=framework, code=f"{n // 15 + 1}.{n % 15 + 1}", name=f"Chỉ tiêu {n}", max_points=10,
                      rule="ratio", params={}, position=n) for n in range(CRITERIA))
        units = Unit.objects.bulk_create(Unit(province=province, kind=kind, name=f"UBND xã thứ {n:03d}",
                                              key=f"ubnd xa thu {n:03d}") for n in range(UNITS))
        period = Period.objects.create(province=province, year=2025, name="Kỳ đánh giá 2025")
        assessments = Assessment.objects.bulk_create(Assessment(period=period, unit=u, framework=framework) for u in units)
        admin = User.objects.create(username=f"{prefix}.quantri", full_name="Quản trị")
        Membership.objects.create(user=admin, province=province, role=Role.PROVINCE_ADMIN)
        officers = User.objects.bulk_create(User(username=f"{prefix}.canbo{n}", full_name=f"Cán bộ xã {n}") for n in range(UNITS))
    return province, period, assessments, indicators, admin, officers


def _entries(province, period, assessments, indicators, officers, rng, count: int) -> None:
    """`count` entries in the services' proportions: answers saved (~60 %), decisions (~35 %), moves."""
    batch = []
    for n in range(count):
        assessment = assessments[n % len(assessments)]
        indicator = indicators[(n // len(assessments)) % len(indicators)]
        officer = officers[n % len(officers)]
        roll = rng.random()
        label = f"{assessment.unit.name} – {period.name}"
        common = {"province": province, "period": period, "assessment": assessment, "target_type": "assessment",
                  "target_id": assessment.pk, "target_label": label}
        if roll < 0.6:
            batch.append(Entry(action="answer.saved", actor=officer, indicator=indicator,
                               old={"inputs": {"a": "3", "b": "10"}, "note": "", "self_score": "3"},
                               new={"inputs": {"a": str(rng.randint(0, 10)), "b": "10"}, "note": "Theo báo cáo",
                                    "self_score": "5"}, **common))
        elif roll < 0.95:
            batch.append(Entry(action="assessment.round1.adjust", actor=officer, indicator=indicator, reason="Thiếu minh chứng",
                               old={}, new={"decision": "adjust", "score": "4", "inputs": {"a": "4", "b": "10"}}, **common))
        else:
            batch.append(Entry(action="assessment.submitted", actor=officer, old={"status": "draft"},
                               new={"status": "submitted"}, **common))
        if len(batch) == 5000:
            Entry.objects.bulk_create(batch)
            batch = []
    Entry.objects.bulk_create(batch)


BARE = """{% extends "base.html" %}{% block content %}<table class="table table-sm">{% for e in rows %}
<tr><td>{{ e.at }}</td><td>{{ e.actor }}</td><td>{{ e.label }}</td><td>{{ e.target }}</td>
<td>{% for line in e.changes %}<div>{{ line }}</div>{% endfor %}</td><td>{{ e.reason }}</td></tr>{% endfor %}</table>{% endblock %}"""


def main() -> None:
    rng = random.Random(11)
    province, period, assessments, indicators, admin, officers = _province()
    client = client_for(admin)
    url = f"/{province.slug}/nhat-ky/"
    with scopes_disabled():
        _entries(province, period, assessments, indicators, officers, rng, 1000)
        analyze()
        small = count_queries(client, url)
        _entries(province, period, assessments, indicators, officers, rng, 99000)
        analyze()
        total = Entry.objects.filter(province=province).count()
        middle = province_log(province)[50000].pk
        pages = {"first": province_log(province)[:100], "deep": province_log(province).filter(pk__lt=middle)[:100],
                 "filtered": province_log(province, area="danh-gia", period=period)[:100]}
        for name, entries in pages.items():  # the same rows as plain values, made before timing
            register_bare(f"log-{name}", BARE, {"rows": [dict(r) for r in entry_rows(list(entries))]})
    print(f"{total} entries in the province; page queries at 10³ and 10⁵ entries: {small}, {count_queries(client, url)}")
    compare("The audit log page (100 rows a page) beside a bare template of the same rows", [
        ("log, first page", client, url, "bare, same 100 rows", bare_url(province.slug, "log-first")),
        ("log, page 501 (50 000 entries back)", client, url + f"?truoc={middle}", "bare, same 100 rows",
         bare_url(province.slug, "log-deep")),
        ("log, period + area filter", client, url + f"?ky={period.pk}&khu_vuc=danh-gia", "bare, same 100 rows",
         bare_url(province.slug, "log-filtered")),
    ], REQUESTS)

    from dti_portal.audit.views import CSV_LIMIT

    with scopes_disabled():
        plain = [[r["at"], r["actor"], r["label"], r["target"], r["code"], "\n".join(r["changes"]), r["reason"]]
                 for r in entry_rows(province_log(province)[:CSV_LIMIT])]
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        size = sum(len(chunk) for chunk in client.get(url + "?tai-ve=csv").streaming_content)
        timings.append(time.perf_counter() - start)
    download = min(timings)
    start = time.perf_counter()
    csv.writer(io.StringIO()).writerows(plain)
    raw = time.perf_counter() - start
    print(f"CSV download ({CSV_LIMIT} newest entries, the most one request writes): {download:.2f} s, {size / 1e6:.1f} MB; "
          f"the csv module writing the same rows from plain values: {raw * 1000:.0f} ms "
          "(the portal also reads, describes and quotes every entry)")
    merged(province, client, url, rng)


def merged(province, client, url, rng) -> None:
    """A province of the same size merged into this one (1 July 2025): its log is part of the tenant's, and
    the page reads each province's newest entries from its own index range (`audit.selectors.newest`)."""
    from datetime import date

    from dti_portal.audit.selectors import newest
    from dti_portal.tenancy.models import Province
    from dti_portal.tenancy.services import province_merge

    old, period, assessments, indicators, _, officers = _province("nhat-ky-cu", "Tỉnh cũ thử nhật ký", "nkc")
    with scopes_disabled():
        _entries(old, period, assessments, indicators, officers, rng, 100000)
        province_merge(source=old, target=province, effective_date=date(2025, 7, 1), actor=None)
        analyze()
        tenant = Province.objects.get(pk=province.pk)
        register_bare("log-merged", BARE, {"rows": [dict(r) for r in entry_rows(
            newest(province_log(tenant), tenant.lineage_ids, 100))]})
        total = Entry.objects.filter(province_id__in=tenant.lineage_ids).count()
    print(f"{total} entries in the tenant and the province merged into it; page queries: {count_queries(client, url)}")
    compare("The log page of a tenant holding a merged province beside a bare template of the same rows", [
        ("log of both provinces, first page", client, url, "bare, same 100 rows", bare_url(province.slug, "log-merged")),
    ], REQUESTS)

main()

"""Benchmark: the same province's pages in a database holding only it and in one holding 34 provinces.

Issue 9's goal: every core path of a 150 × 150 province stays within 1.2× of its own time when the
database holds all 34 provinces (indexes, no scans across tenants). Both databases are made by
`generate_scale_data` with the same seed, so `scale-1` is the same province, row for row, in both:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dti_scale_one  .venv/bin/python manage.py migrate
    DATABASE_URL=…/dti_scale_one  .venv/bin/python manage.py generate_scale_data --provinces 1  --units 150 --indicators 150
    DATABASE_URL=…/dti_scale_data .venv/bin/python manage.py generate_scale_data --provinces 34 --units 150 --indicators 150
    BENCH_SMALL_URL=…/dti_scale_one BENCH_LARGE_URL=…/dti_scale_data .venv/bin/python bench/tenants.py

One process holds both databases (two connection aliases; a router sends every query to the alias
being measured), and requests alternate between them page by page, so both medians see the same
machine load. Each page's query count is printed for both: they must be equal. Read-only: the
ranking of the period is made inside a transaction that is rolled back.
"""

import contextvars
import os
import statistics
import sys
import time

from _django import ROOT

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "15"))
SLUG = os.environ.get("BENCH_SLUG", "scale-1")
_alias = contextvars.ContextVar("alias", default="default")


class Router:
    """Every read and write goes to the database being measured."""

    def db_for_read(self, model, **hints):
        return _alias.get()

    db_for_write = db_for_read

    def allow_relation(self, *args, **hints):
        return True


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    small, large = os.environ.get("BENCH_SMALL_URL"), os.environ.get("BENCH_LARGE_URL")
    if not small or not large:  # `make bench` runs every script: this one needs its two databases
        print("bench/tenants.py: skipped — set BENCH_SMALL_URL and BENCH_LARGE_URL (see its docstring).")
        raise SystemExit(0)
    os.environ["DATABASE_URL"] = small
    os.environ["DJANGO_SETTINGS_MODULE"] = "dti_portal.settings.test"
    import dj_database_url
    from django.conf import settings

    settings.DATABASES  # noqa: B018  (load the settings module before changing it)
    large_db = dj_database_url.parse(large)
    settings.DATABASES["large"] = settings.DATABASES["default"] | {"NAME": large_db["NAME"], "HOST": large_db["HOST"],
                                                                   "PORT": large_db["PORT"], "USER": large_db["USER"]}
    settings.DATABASE_ROUTERS = [f"{__name__}.Router"]
    import django

    django.setup()


setup()

from django.db import connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

from assessments.models import Assessment, Period  # noqa: E402
from dti_portal.accounts.models import User  # noqa: E402
from dti_portal.tenancy.models import Province  # noqa: E402
from rankings.publication import _materialise  # noqa: E402
from rankings.selectors import ranking_table  # noqa: E402


class Side:
    """One database: its copy of the province, its logged-in clients and the pages' URLs."""

    def __init__(self, alias: str):
        self.alias = alias
        token = _alias.set(alias)
        try:
            with scopes_disabled():
                self.province = Province.objects.get(slug=SLUG)
                self.provinces = Province.objects.count()
                period = Period.objects.filter(province=self.province).latest("year")
                assessment = Assessment.objects.filter(period=period).select_related("unit").order_by("unit__name").first()
                officer = User.objects.get(memberships__province=self.province, memberships__unit=assessment.unit_id)
                self.period, self.kind = period, assessment.unit.kind
                kw = {"province": SLUG}
                self.pages = {
                    "entry page": (officer, reverse("assessments:entry", kwargs=kw | {"assessment_id": assessment.pk})),
                    "period page": (f"{SLUG}.quantri", reverse("assessments:period_detail", kwargs=kw | {"period_id": period.pk})),
                    "appraisal board": (f"{SLUG}.totruong", reverse("assessments:appraisal_board", kwargs=kw | {"period_id": period.pk})),
                    "one unit's appraisal": (f"{SLUG}.totruong", reverse("assessments:unit_appraisal", kwargs=kw | {"assessment_id": assessment.pk})),
                    "catalogue tree": (f"{SLUG}.lanhdao", reverse("indicators:framework_detail", kwargs=kw | {"framework_id": assessment.framework_id})),
                }
                self.clients = {}
                for name, (user, url) in self.pages.items():
                    user = user if isinstance(user, User) else User.objects.get(username=user)
                    client = Client()
                    client.force_login(user)
                    self.clients[name] = client
        finally:
            _alias.reset(token)

    def fetch(self, name: str) -> None:
        token = _alias.set(self.alias)
        try:
            response = self.clients[name].get(self.pages[name][1])
            assert response.status_code == 200, (self.alias, name, response.status_code)
        finally:
            _alias.reset(token)

    def ranking(self, name: str = "ranking of the period") -> None:
        token = _alias.set(self.alias)
        try:
            with transaction.atomic(using=self.alias), scope(province=self.province):
                _materialise(self.province, self.period.year)
                ranking_table(self.province, self.period.year, self.kind)
                transaction.set_rollback(True, using=self.alias)
        finally:
            _alias.reset(token)

    def queries(self, name: str) -> int:
        run = self.ranking if name == "ranking of the period" else self.fetch
        with CaptureQueriesContext(connections[self.alias]) as captured:
            run(name)
        return len(captured)


def timed(fn, name: str) -> float:
    start = time.perf_counter()
    fn(name)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    small, large = Side("default"), Side("large")
    print(f"{SLUG}: alone in its database ({small.provinces} province) against beside {large.provinces - 1} others "
          f"({large.provinces} provinces); {REQUESTS} requests each, alternating; goal: ratio ≤ 1,2")
    print(f"{'path':<24} {'alone ms':>9} {'34 prov. ms':>12} {'ratio':>6}  queries")
    names = [*small.pages, "ranking of the period"]
    for name in names:
        run_small = small.ranking if name == "ranking of the period" else small.fetch
        run_large = large.ranking if name == "ranking of the period" else large.fetch
        run_small(name), run_large(name)  # warm both
        a, b = [], []
        for _ in range(REQUESTS):
            a.append(timed(run_small, name))
            b.append(timed(run_large, name))
        qa, qb = small.queries(name), large.queries(name)
        ms_a, ms_b = statistics.median(a), statistics.median(b)
        print(f"{name:<24} {ms_a:>9.1f} {ms_b:>12.1f} {ms_b / ms_a:>6.2f}  {qa} / {qb}{'' if qa == qb else '  ← differ'}")


if __name__ == "__main__":
    main()

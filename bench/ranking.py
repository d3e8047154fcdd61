"""Benchmark: the ranking of a period of 150 units × 150 indicators, then its report.

Prints medians with their query counts, each beside a baseline measured in the same run:
- ranking of a period (stored totals → table): the year's result rows copied from the stored
  totals (`_materialise`) and the ranking table, against the full roll-up the portal did before
  the totals were stored (every unit's answers read and rolled up, one row saved at a time: the
  code of that time, kept below as `rolled_up_materialise`);
- refreshing the stored totals of all 150 units at once (what finalising costs, paid once per unit);
- the appendix (per unit, per criterion: 22 500 rows), the official report PDF (WeasyPrint) and the
  workbook (openpyxl).
Run: make bench (or .venv/bin/python bench/ranking.py)
"""

import os
import random
from decimal import Decimal

from _django import median_ms, setup

setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

from assessments.models import Answer, Assessment, Period  # noqa: E402
from assessments.totals import refresh_totals  # noqa: E402
from dti_portal.accounts.models import User  # noqa: E402
from dti_portal.tenancy.models import Unit  # noqa: E402
from dti_portal.tenancy.services import province_create  # noqa: E402
from indicators.models import Framework, Indicator  # noqa: E402
from indicators.totals import grand_total, roll_up  # noqa: E402
from rankings.models import ImportedResult  # noqa: E402
from rankings.publication import _materialise, _text, appendix, snapshot_of  # noqa: E402
from rankings.report import render_pdf, render_workbook  # noqa: E402
from rankings.results import part_key  # noqa: E402
from rankings.selectors import ranking_table  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
UNITS = 150


def build():
    province = province_create(actor=None, slug="bench", name="Tỉnh thử", coordinating_agency="Sở KH&CN")
    with scopes_disabled():
        kind = province.unit_kinds.get(code="so")
        framework = Framework.objects.create(province=province, name="Bộ 150", year=2026, unit_kind=kind, status="active")
        leaves, position = [], 0
        for g in range(1, 11):
            position += 1
            group = Indicator.objects.create(framework=framework, code=str(g), name=f"Trụ cột {g}", max_points=140,
                                             rule="sum", position=position)
            for i in range(1, 15):
                position += 1
                leaves.append(Indicator.objects.create(framework=framework, parent=group, code=f"{g}.{i}",
                                                       name=f"Chỉ tiêu {g}.{i}", max_points=10, rule="manual", position=position))
        period = Period.objects.create(province=province, year=2026, name="Kỳ 2026", status="open")
        rng = random.Random(2026)
        user = User.objects.create(username="bench")
        for n in range(UNITS):
            unit = Unit.objects.create(province=province, kind=kind, name=f"Đơn vị số {n + 1:03d}")
            assessment = Assessment.objects.create(period=period, unit=unit, framework=framework, status="final")
            Answer.objects.bulk_create(
                Answer(assessment=assessment, indicator=leaf, self_score=Decimal(10),
                       final_score=Decimal(rng.randint(0, 100)) / 10,
                       reason="Thiếu tài liệu kiểm chứng" if rng.random() < 0.2 else "", updated_by=user)
                for leaf in leaves)
    return province, kind, len(leaves) + 10


def rolled_up_materialise(province, year) -> None:
    """The baseline: how the year's results were made before totals were stored (the code of that time)."""
    for assessment in Assessment.objects.filter(period__province=province, period__year=year).select_related(
            "unit", "unit__kind", "framework", "period"):
        reported = assessment.status != Assessment.Status.NOT_REPORTED
        parts, total = {}, None
        if reported:
            indicators = list(assessment.framework.indicators.select_related("parent"))
            parent_of = {i.code: (i.parent.code if i.parent_id else "") for i in indicators}
            parents = set(parent_of.values())
            finals = {a.indicator.code: a.final_score for a in Answer.objects.filter(assessment=assessment).select_related("indicator")
                      if a.indicator.code not in parents}
            totals = roll_up(parent_of, finals)
            total = grand_total(parent_of, totals)
            parts = {part_key(i.name): _text(totals[i.code]) for i in indicators if not i.parent_id}
        ImportedResult.objects.update_or_create(
            province=province, year=year, unit=assessment.unit,
            defaults={"unit_kind": assessment.unit.kind, "framework": assessment.framework, "reported": reported,
                      "total": total, "parts": parts, "source": f"Kỳ đánh giá: {assessment.period.name}"},
        )


def measured(fn, repeat=REPEAT) -> tuple[float, int]:
    """Median ms over `repeat` runs, and the queries of one run."""
    with CaptureQueriesContext(connection) as queries:
        fn()
    return median_ms(fn, repeat), len(queries)


def main():
    province, kind, count = build()
    with scope(province=province):
        ids = list(Assessment.objects.filter(period__province=province).values_list("pk", flat=True))
        times, refresh_q = [], 0
        for _ in range(REPEAT):  # every row changed each time (as after a change of every unit)
            Assessment.objects.filter(pk__in=ids).update(final_total=None)
            with CaptureQueriesContext(connection) as queries:
                times.append(median_ms(lambda: refresh_totals(ids), 1))
            refresh_q = len(queries)
        refresh_ms = sorted(times)[len(times) // 2]
        old_ms, old_q = measured(lambda: (rolled_up_materialise(province, 2026), ranking_table(province, 2026, kind)))
        old_table = ranking_table(province, 2026, kind)
        ImportedResult.objects.filter(province=province, year=2026).delete()
        new_ms, new_q = measured(lambda: (_materialise(province, 2026), ranking_table(province, 2026, kind)))
        table = ranking_table(province, 2026, kind)
        assert [(r.unit, r.total, r.rank) for r in table.rows] == [(r.unit, r.total, r.rank) for r in old_table.rows]
        copy_ms, copy_q = measured(lambda: _materialise(province, 2026))
        table_ms, table_q = measured(lambda: ranking_table(province, 2026, kind))
        appendix_ms, appendix_q = measured(lambda: appendix(province, 2026))
        details = appendix(province, 2026)
        snapshot = {"meta": {"province": "Tỉnh thử", "agency": "Sở KH&CN", "year": 2026, "decision_number": "1/QĐ",
                             "decision_date": "01/01/2027", "signer": "Chủ tịch"},
                    "tables": [snapshot_of(table)]}
        pdf_ms = median_ms(lambda: render_pdf(snapshot), 1)
        xlsx_ms = median_ms(lambda: render_workbook(snapshot, details), REPEAT)
    rows = sum(len(u["rows"]) for u in details)
    print(f"Ranking benchmark: {UNITS} units × {count} indicators, SQLite, median of {REPEAT} runs (PDF: one run)")
    print(f"{'task':<62}{'median ms':>11}{'queries':>9}{'ratio':>8}")
    print(f"{'ranking of a period (stored totals → table)':<62}{new_ms:>11.1f}{new_q:>9}{new_ms / old_ms:>8.3f}")
    print(f"{'  baseline: full roll-up of final scores + table':<62}{old_ms:>11.1f}{old_q:>9}{1:>8.3f}")
    print(f"{'  of which: copy of stored totals into the year results':<62}{copy_ms:>11.1f}{copy_q:>9}")
    print(f"{'  of which: ranking table (with change against last year)':<62}{table_ms:>11.1f}{table_q:>9}")
    print(f"{'stored totals of all ' + str(UNITS) + ' units recomputed (refresh_totals)':<62}{refresh_ms:>11.1f}{refresh_q:>9}")
    print(f"{'appendix: ' + str(rows) + ' criterion rows of ' + str(len(details)) + ' units':<62}{appendix_ms:>11.1f}{appendix_q:>9}")
    print(f"{'official report PDF (ranking tables, chart)':<62}{pdf_ms:>11.1f}")
    print(f"{'Excel workbook (ranking + detail sheet of ' + str(rows) + ' rows)':<62}{xlsx_ms:>11.1f}")


if __name__ == "__main__":
    main()

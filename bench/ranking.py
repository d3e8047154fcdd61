"""Benchmark: ranking 150 units × 150 indicators from final scores, then the report for 150 units.

Prints medians: the roll-up and ranking (through the same code as publication), the PDF
(WeasyPrint) and the workbook (openpyxl). Run: make bench (or .venv/bin/python bench/ranking.py)
"""

import os
import random
from decimal import Decimal

from _django import median_ms, setup

setup()

from django_scopes import scope, scopes_disabled  # noqa: E402

from assessments.models import Answer, Assessment, Period  # noqa: E402
from dti_portal.accounts.models import User  # noqa: E402
from dti_portal.tenancy.models import Unit  # noqa: E402
from dti_portal.tenancy.services import province_create  # noqa: E402
from indicators.models import Framework, Indicator  # noqa: E402
from rankings.publication import _materialise, appendix, snapshot_of  # noqa: E402
from rankings.report import render_pdf, render_workbook  # noqa: E402
from rankings.selectors import ranking_table  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


def build():
    province = province_create(slug="bench", name="Tỉnh thử", coordinating_agency="Sở KH&CN")
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
        for n in range(150):
            unit = Unit.objects.create(province=province, kind=kind, name=f"Đơn vị số {n + 1:03d}")
            assessment = Assessment.objects.create(period=period, unit=unit, framework=framework, status="final")
            Answer.objects.bulk_create(
                Answer(assessment=assessment, indicator=leaf, final_score=Decimal(rng.randint(0, 100)) / 10,
                       reason="Thiếu tài liệu kiểm chứng" if rng.random() < 0.2 else "", updated_by=user)
                for leaf in leaves)
    return province, kind, len(leaves) + 10


def main():
    province, kind, count = build()
    with scope(province=province):
        def rank():
            _materialise(province, 2026)
            return ranking_table(province, 2026, kind)

        rank_ms = median_ms(rank, REPEAT)
        table = rank()
        snapshot = {"meta": {"province": "Tỉnh thử", "agency": "Sở KH&CN", "year": 2026, "decision_number": "1/QĐ",
                             "decision_date": "01/01/2027", "signer": "Chủ tịch"},
                    "tables": [snapshot_of(table)], "appendix": appendix(province, 2026)}
        pdf_ms = median_ms(lambda: render_pdf(snapshot), 1)  # minutes for 22 500 appendix rows: once
        xlsx_ms = median_ms(lambda: render_workbook(snapshot), REPEAT)
    rows = sum(len(u["rows"]) for u in snapshot["appendix"])
    print(f"Ranking benchmark: 150 units × {count} indicators, median of {REPEAT} runs (PDF: one run)")
    print(f"{'task':<58}{'median ms':>12}")
    print(f"{'roll-up of final scores + ranking table':<58}{rank_ms:>12.1f}")
    print(f"{'PDF (ranking, chart, appendix of ' + str(rows) + ' rows)':<58}{pdf_ms:>12.1f}")
    print(f"{'Excel workbook (ranking + detail sheet)':<58}{xlsx_ms:>12.1f}")


if __name__ == "__main__":
    main()

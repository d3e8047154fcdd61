"""Benchmark: importing/exporting a 150-indicator framework and scoring 150 units × 150 indicators.

Prints medians and their ratio to raw openpyxl reading/writing the same cells. Run:
    make bench            (or: .venv/bin/python bench/catalogue.py)
It uses a throw-away SQLite database; nothing of the portal's data is touched.
"""

import io
import os
import random
from decimal import Decimal

from _django import median_ms, setup

setup()

import openpyxl  # noqa: E402
from django_scopes import scope  # noqa: E402

from dti_portal.tenancy.services import province_create  # noqa: E402
from indicators.resources import IndicatorResource  # noqa: E402
from indicators.scoring import score  # noqa: E402
from indicators.services import framework_import, meta_values  # noqa: E402
from indicators.tables import render_xlsx  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
RULES = [
    ("ratio", {}, lambda r: {"a": r.randint(0, 50), "b": 50}),
    ("count", {"per_item": "1"}, lambda r: {"count": r.randint(0, 15)}),
    ("yes_no", {}, lambda r: {"value": r.random() < 0.5}),
    ("ratio_target", {"target": "0.1"}, lambda r: {"a": r.randint(0, 30), "b": 100}),
    ("steps", {"steps": [{"min": 1, "points": 2}, {"min": 2, "points": 5}, {"min": 4, "points": 10}]}, lambda r: {"value": r.randint(0, 5)}),
    ("manual", {}, lambda r: {"points": Decimal(r.randint(0, 100)) / 10}),
]


def catalogue_rows(groups=10, per_group=14):
    """150 indicators: 10 groups (sum) of 14 leaves with mixed rules."""
    rows = [["code", "parent_code", "name", "max_points", "rule", "params", "guidance"]]
    import json

    for g in range(1, groups + 1):
        rows.append([str(g), "", f"Nhóm {g}", 10 * per_group, "sum", "", ""])
        for i in range(1, per_group + 1):
            rule, params, _ = RULES[(g + i) % len(RULES)]
            rows.append([f"{g}.{i}", str(g), f"Chỉ tiêu {g}.{i} về chuyển đổi số", 10, rule,
                         json.dumps(params) if params else "", "Cách xác định và tính điểm " * 3])
    return rows


def main():
    province = province_create(actor=None, slug="bench", name="Tỉnh thử", coordinating_agency="Sở KH&CN")
    rows = catalogue_rows()
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    xlsx = buffer.getvalue()
    meta = {"name": "Bộ chỉ số thử", "year": "2026", "unit_kind": "so"}

    with scope(province=province):
        def do_import():
            report = framework_import(actor=None, province=province, filename="b.xlsx", content=xlsx, meta=meta, dry_run=True)
            assert report.ok, report.problems[:3]

        framework = framework_import(actor=None, province=province, filename="b.xlsx", content=xlsx, meta=meta).framework
        indicators = list(framework.indicators.filter(parent__isnull=False))

        def do_export():
            render_xlsx(IndicatorResource(framework).export(), meta_values(framework))

        rng = random.Random(2026)
        answers = [[RULES[[r[0] for r in RULES].index(i.rule)][2](rng) for i in indicators] for _ in range(150)]

        def do_score():
            for unit_answers in answers:
                for indicator, inputs in zip(indicators, unit_answers):
                    score(indicator.rule, indicator.params, indicator.max_points, inputs)

        import_ms, export_ms, score_ms = median_ms(do_import, REPEAT), median_ms(do_export, REPEAT), median_ms(do_score, 3)

    def raw_read():
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True).active
        return [list(r) for r in sheet.iter_rows(values_only=True)]

    def raw_write():
        out = openpyxl.Workbook()
        for row in rows:
            out.active.append(row)
        out.save(io.BytesIO())

    read_ms, write_ms = median_ms(raw_read, REPEAT), median_ms(raw_write, REPEAT)
    n = len(rows) - 1
    print(f"Catalogue benchmark: {n} indicators, median of {REPEAT} runs (scoring: of 3)")
    print(f"{'task':<44}{'median ms':>12}{'raw openpyxl ms':>18}{'ratio':>8}")
    print(f"{'import xlsx (parse, check, save, roll back)':<44}{import_ms:>12.1f}{read_ms:>18.1f}{import_ms / read_ms:>8.1f}")
    print(f"{'export xlsx (resource + workbook)':<44}{export_ms:>12.1f}{write_ms:>18.1f}{export_ms / write_ms:>8.1f}")
    calls = 150 * len(indicators)
    print(f"{'score 150 units × ' + str(len(indicators)) + ' leaves':<44}{score_ms:>12.1f}{'':>18}{'':>8}"
          f"  ({score_ms * 1000 / calls:.1f} µs per score)")


if __name__ == "__main__":
    main()

"""Benchmark: the unit's offline workbook for a 150-criterion framework.

10 groups of 15 criteria (every rule kind a unit answers), half answered. Timed, median of N runs:
- read: `workbook_layout` (the entry page's reads: indicators, answers, files);
- write: `render_workbook` (styles, locked cells, drop-down lists, the signed identity);
- bare: openpyxl's write-only mode writing the same cell values with no style, lock or list,
  what the file costs at the least;
- upload: `read_workbook` of the workbook with every criterion filled (150 changes): the
  preview's work (read-only openpyxl, one answer form per row, the engine's score).
Run: .venv/bin/python bench/workbook.py
"""

import io
import os
from datetime import timedelta

from _django import median_ms, setup

setup()

import openpyxl  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

from assessments.models import Assessment, Period  # noqa: E402
from assessments.services import answer_save, period_open, period_save  # noqa: E402
from assessments.workbook import (  # noqa: E402
    DATA_SHEET, FIRST_ROW, FIXED, read_workbook, render_workbook, slot_value, workbook_layout, workbook_title,
)
from dti_portal.accounts.models import User  # noqa: E402
from dti_portal.tenancy.services import province_create, unit_create  # noqa: E402
from indicators.display import points, rule_text  # noqa: E402
from indicators.models import Framework  # noqa: E402
from indicators.services import FrameworkMeta, framework_create, indicator_save  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
FIELDS = {"guidance": "Cách xác định " * 5, "evidence_required": "Văn bản", "data_source": "", "verifying_agency": ""}
OPTIONS = [{"label": "Chưa triển khai", "points": 0}, {"label": "Một phần", "points": 5}, {"label": "Đầy đủ", "points": 10}]
ITEMS = [{"label": "Có kế hoạch", "points": 4}, {"label": "Có kinh phí", "points": 3}, {"label": "Có báo cáo", "points": 3}]
STEPS = [{"min": 1, "points": 2}, {"min": 2, "points": 5}, {"min": 4, "points": 10}]
RULES = [  # (rule, params, an answer, the same answer as the workbook's cells)
    ("ratio", {}, {"a": "3", "b": "4"}, ["3", "4"]),
    ("count", {"per_item": 1}, {"count": "4"}, ["4"]),
    ("yes_no", {}, {"value": "có"}, ["Có"]),
    ("manual", {}, {"points": "5"}, ["5"]),
    ("choice", {"options": OPTIONS}, {"option": "Một phần"}, ["Một phần"]),
    ("checklist", {"items": ITEMS}, {"ticked": ["Có kế hoạch", "Có báo cáo"]}, ["Có", "Không", "Có"]),
    ("steps", {"steps": STEPS}, {"value": "3"}, ["3"]),
    ("ratio_target", {"target": "0.8"}, {"a": "41,6", "b": "60"}, ["41,6", "60"]),
    ("ratio_steps", {"steps": [{"min": "90 %", "points": 10}, {"min": "70 %", "points": 5}]}, {"a": "41", "b": "50"}, ["41", "50"]),
]


def build() -> Assessment:
    province = province_create(actor=None, slug="bench", name="Tỉnh thử", coordinating_agency="Sở KH&CN")
    with scopes_disabled():
        kind = province.unit_kinds.get(code="so")
        unit = unit_create(actor=None, province=province, kind=kind, name="Sở thử")
        user = User.objects.create(username="canbo")
    with scope(province=province):
        framework = framework_create(actor=None, province=province, meta=FrameworkMeta(name="Bộ 150", year=2026, unit_kind=kind))
        for g in range(1, 11):
            group = indicator_save(actor=None, framework=framework, indicator=None, parent=None, data=FIELDS | {
                "code": str(g), "name": f"Nhóm {g}", "max_points": 150, "rule": "sum", "params": {}})
            for i in range(1, 16):
                rule, params, _, _ = RULES[(g + i) % len(RULES)]
                indicator_save(actor=None, framework=framework, indicator=None, parent=group, data=FIELDS | {
                    "code": f"{g}.{i}", "name": f"Chỉ tiêu {g}.{i} về chuyển đổi số của đơn vị", "max_points": 10,
                    "rule": rule, "params": params})
        framework.status = Framework.Status.ACTIVE
        framework.save()
        today = timezone.localdate()
        period = Period(province=province, year=2026, name="Kỳ 2026", self_assessment_start=today - timedelta(days=1),
                        self_assessment_end=today + timedelta(days=30))
        period_save(period=period, frameworks={kind: framework}, actor=None)
        period_open(period=period, actor=user)
        assessment = Assessment.objects.select_related("period", "unit", "framework").get(period=period)
        answers = {rule: inputs for rule, _, inputs, _ in RULES}
        for n, indicator in enumerate(framework.indicators.filter(children__isnull=True).order_by("position")):
            if n % 2 == 0:
                answer_save(assessment=assessment, indicator=indicator, inputs=answers[indicator.rule], note="", actor=user)
    return assessment


def bare(cells: list[list]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(DATA_SHEET)
    for row in cells:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filled(content: bytes, layout) -> bytes:
    """Every criterion answered in the workbook, as an officer would type it."""
    cells = {rule: values for rule, _, _, values in RULES}
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book[DATA_SHEET]
    for number, line in enumerate(layout.lines, start=FIRST_ROW):
        for n, value in enumerate(cells.get(line.indicator.rule, []) if line.slots else []):
            sheet.cell(number, len(FIXED) + 2 * n + 2).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main():
    assessment = build()
    with scope(province=assessment.period.province):
        layout = workbook_layout(assessment)
        leaves = sum(1 for line in layout.lines if line.slots)
        cells = [[workbook_title(assessment)], layout.header] + [
            [line.indicator.code, line.indicator.name, points(line.indicator.max_points), rule_text(line.indicator), line.indicator.guidance]
            + [v for slot in line.slots for v in (slot.label, slot_value(slot, line.answer.inputs if line.answer else {}))]
            + [None] * (2 * (layout.width - len(line.slots)))
            + [line.answer.note if line.answer else None, line.answer.self_score if line.answer else None]
            for line in layout.lines
        ]
        content = render_workbook(layout)
        upload = filled(content, layout)
        reading = read_workbook(SimpleUploadedFile("b.xlsx", upload), layout)
        assert len(reading.changes) == leaves // 2 and not reading.refusals, (len(reading.changes), reading.refusals[:3])
        figures = [
            ("read (workbook_layout)", median_ms(lambda: workbook_layout(assessment), REPEAT)),
            ("write (render_workbook)", median_ms(lambda: render_workbook(layout), REPEAT)),
            ("bare openpyxl, same values", median_ms(lambda: bare(cells), REPEAT)),
            ("upload preview (read_workbook)", median_ms(lambda: read_workbook(SimpleUploadedFile("b.xlsx", upload), layout), REPEAT)),
        ]
    print(f"Workbook of {leaves} criteria in {len(layout.lines) - leaves} groups, {len(content) // 1024} KB; "
          f"the filled one {len(reading.changes)} changes; median of {REPEAT} runs")
    for name, ms in figures:
        print(f"  {name:32} {ms:8.1f} ms")
    print(f"  the unit's workbook costs {figures[1][1] / figures[2][1]:.2f}× raw openpyxl write-only of the same values")


if __name__ == "__main__":
    main()

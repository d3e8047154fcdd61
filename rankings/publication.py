"""Publishing a year's results: freeze the tables, render the PDF and the workbook once."""

import hashlib
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from assessments.models import Answer, Assessment, Event
from dti_portal.tenancy.models import UnitKind
from indicators.totals import grand_total, roll_up

from .models import ImportedResult, Publication
from .results import part_key
from .selectors import ranking_table

DONE = (Assessment.Status.FINAL, Assessment.Status.PUBLISHED, Assessment.Status.NOT_REPORTED)


def _text(value):
    return None if value is None else f"{value:f}"


def snapshot_of(table) -> dict:
    """A ranking table as plain JSON: what the report shows, frozen."""
    return {
        "year": table.year, "kind": table.kind.name, "kind_code": table.kind.code, "by": table.by,
        "framework": str(table.framework) if table.framework else "",
        "decision": table.framework.decision_number if table.framework else "",
        "max_total": _text(table.max_total), "total_average": _text(table.total_average),
        "index_average": _text(table.index_average), "previous_year": table.previous_year,
        "framework_changed": table.framework_changed,
        "columns": [{"key": c.key, "label": c.label, "maximum": _text(c.maximum), "average": _text(c.average)} for c in table.columns],
        "rows": [{"rank": r.rank, "unit": r.unit, "total": _text(r.total), "index": _text(r.index), "band": r.band,
                  "change": _text(r.change), "parts": {k: _text(v) for k, v in r.parts.items()}} for r in table.rows],
        "aggregates": [{"name": a.name, "maximum": _text(a.maximum), "average": _text(a.average),
                        "rows": [{"rank": r.rank, "unit": r.unit, "total": _text(r.total)} for r in a.rows]} for a in table.aggregates],
    }


def _appraised(province, year) -> list[Assessment]:
    return list(Assessment.objects.filter(period__province=province, period__year=year)
                .select_related("unit", "unit__kind", "framework", "period"))


def appendix(province, year) -> list[dict]:
    """Per unit, per indicator: max, achieved (final) and the reason points were lost (like seed 004)."""
    units = []
    for assessment in _appraised(province, year):
        if assessment.status not in (Assessment.Status.FINAL, Assessment.Status.PUBLISHED):
            continue
        answers = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment)}
        indicators = list(assessment.framework.indicators.select_related("parent").order_by("position"))
        parent_of = {i.code: (i.parent.code if i.parent_id else "") for i in indicators}
        parents = set(parent_of.values())
        totals = roll_up(parent_of, {i.code: answers[i.pk].final_score for i in indicators if i.pk in answers and i.code not in parents})
        units.append({"unit": assessment.unit.name, "framework": str(assessment.framework), "rows": [
            {"code": i.code, "name": i.name, "max": _text(i.max_points), "depth": i.code.count("."),
             "achieved": _text(totals.get(i.code)) if i.rule != "collected" else None,
             "reason": answers[i.pk].reason if i.pk in answers else ""} for i in indicators]})
    return units


def _materialise(province, year) -> None:
    """Final scores of the year's periods become the year's result rows (computed, never typed)."""
    for assessment in _appraised(province, year):
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


@transaction.atomic
def publish(*, province, year: int, decision_number: str, decision_date, signer: str, actor) -> Publication:
    from .report import render_pdf, render_workbook

    existing = Publication.objects.filter(province=province, year=year).first()
    if existing:
        raise ValidationError(f"Kết quả năm {year} đã được công bố theo quyết định {existing.decision_number} "
                              f"ngày {existing.decision_date:%d/%m/%Y}; không công bố lại.")
    pending = [a for a in _appraised(province, year) if a.status not in DONE]
    if pending:
        names = ", ".join(f"{a.unit.name} ({a.get_status_display().lower()})" for a in pending)
        raise ValidationError(f"Chưa công bố được: {len(pending)} bản đánh giá chưa chốt kết quả: {names}.")
    _materialise(province, year)
    tables = [t for t in (ranking_table(province, year, k) for k in UnitKind.objects.filter(province=province)) if t]
    if not tables:
        raise ValidationError(f"Chưa có kết quả năm {year} để công bố.")
    meta = {"province": province.name, "agency": province.coordinating_agency, "year": year,
            "decision_number": decision_number, "decision_date": decision_date.strftime("%d/%m/%Y"), "signer": signer}
    snapshot = {"meta": meta, "tables": [snapshot_of(t) for t in tables], "appendix": appendix(province, year)}
    pdf, xlsx = render_pdf(snapshot), render_workbook(snapshot)
    publication = Publication(province=province, year=year, decision_number=decision_number, decision_date=decision_date,
                              signer=signer, snapshot=snapshot, published_by=actor,
                              pdf_sha256=hashlib.sha256(pdf).hexdigest(), xlsx_sha256=hashlib.sha256(xlsx).hexdigest())
    publication.pdf.save(f"bao-cao-dti-{year}.pdf", ContentFile(pdf), save=False)
    publication.xlsx.save(f"bao-cao-dti-{year}.xlsx", ContentFile(xlsx), save=False)
    publication.save()
    for assessment in _appraised(province, year):
        if assessment.status == Assessment.Status.FINAL:
            assessment.status = Assessment.Status.PUBLISHED
            assessment.save(update_fields=["status"])
            Event.objects.create(assessment=assessment, action="assessment.published", actor=actor,
                                 old={"status": "final"}, new={"status": "published", "decision": decision_number})
    return publication


def decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)

"""Publishing a year's results. The web request only checks, records and queues; background
workers (rankings/tasks.py, django-tasks) do the rest:

  publication_request  (request)  check the year, record who asked and the decision, queue
  publication_prepare  (worker)   freeze the tables and each unit's scorecard rows
  report_render, workbook_render, scorecards_render  (any workers, in parallel)  render the files
  publication_finish   (worker)   zip the scorecards; then, in one transaction: the year's results,
                                  the assessments' status, the publication PUBLISHED

Until that last transaction commits nothing is visible as published: not the publication, not the
year's results, not an assessment's status. A worker killed anywhere leaves the publication queued
or running; once it shows no progress for PUBLICATION_STALE_AFTER (or failed with its reason),
`publication_retry` starts again and keeps every file already made from the same data. A file is
counted only once its row names it; files no row names are deleted when the publication completes.
"""

import hashlib
import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from assessments.models import Answer, Assessment
from dti_portal.audit import transitions
from dti_portal.audit.services import record
from dti_portal.tenancy.models import UnitKind
from dti_portal.tenancy.names import vn_sort_key
from indicators.models import Indicator
from indicators.totals import roll_up

from .models import ImportedResult, Publication, Scorecard, publication_folder
from .selectors import ranking_table

Status = Publication.Status
DONE = (Assessment.Status.FINAL, Assessment.Status.PUBLISHED, Assessment.Status.NOT_REPORTED)
FINAL = (Assessment.Status.FINAL, Assessment.Status.PUBLISHED)


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
        "framework_changed": table.framework_changed, "ranks_non_reporting": table.ranks_non_reporting,
        "columns": [{"key": c.key, "label": c.label, "maximum": _text(c.maximum), "average": _text(c.average)} for c in table.columns],
        "rows": [{"rank": r.rank, "unit": r.unit, "unit_id": r.unit_id, "total": _text(r.total), "index": _text(r.index),
                  "band": r.band, "change": _text(r.change), "parts": {k: _text(v) for k, v in r.parts.items()}} for r in table.rows],
        "aggregates": [{"name": a.name, "maximum": _text(a.maximum), "average": _text(a.average),
                        "rows": [{"rank": r.rank, "unit": r.unit, "total": _text(r.total)} for r in a.rows]} for a in table.aggregates],
    }


def _appraised(province, year) -> list[Assessment]:
    return list(Assessment.objects.filter(period__province=province, period__year=year)
                .select_related("unit", "unit__kind", "framework", "period"))


def appendix(province, year) -> list[dict]:
    """Per unit, per indicator: max, achieved (final) and the reason points were lost (like seed 004).

    Three queries whatever the number of units: the final assessments, their frameworks' indicators,
    their answers (values only); the group totals are rolled up in memory.
    """
    assessments = list(Assessment.objects.filter(period__province=province, period__year=year, status__in=FINAL)
                       .select_related("unit", "framework").order_by("pk"))
    indicators: dict[int, list[Indicator]] = {}
    for indicator in Indicator.objects.filter(framework__in={a.framework_id for a in assessments}).order_by("position", "pk"):
        indicators.setdefault(indicator.framework_id, []).append(indicator)
    answers: dict[int, dict[int, dict]] = {}
    for answer in (Answer.objects.filter(assessment__in=[a.pk for a in assessments])
                   .values("assessment_id", "indicator_id", "final_score", "reason")):
        answers.setdefault(answer["assessment_id"], {})[answer["indicator_id"]] = answer
    units = []
    for assessment in assessments:
        tree = indicators.get(assessment.framework_id, [])
        code_of = {i.pk: i.code for i in tree}
        parent_of = {i.code: code_of.get(i.parent_id, "") for i in tree}
        parents = set(parent_of.values())
        mine = answers.get(assessment.pk, {})
        totals = roll_up(parent_of, {i.code: mine[i.pk]["final_score"] for i in tree if i.pk in mine and i.code not in parents})
        units.append({"unit": assessment.unit.name, "framework": str(assessment.framework), "rows": [
            {"code": i.code, "name": i.name, "max": _text(i.max_points), "depth": i.code.count("."),
             "achieved": _text(totals.get(i.code)) if i.rule != "collected" else None,
             "reason": mine[i.pk]["reason"] if i.pk in mine else ""} for i in tree]})
    return units


def _materialise(province, year) -> None:
    """The year's stored final totals become its result rows (computed when each result was
    finalised, never typed): one read and one upsert, whatever the number of units. Fields the
    assessments do not know (a published rank or band from an imported file) are kept."""
    latest = {}
    for assessment in (Assessment.objects.filter(period__province=province, period__year=year)
                       .select_related("unit", "period").order_by("pk")):
        latest[assessment.unit_id] = assessment  # one row per unit, as the unique (province, year, unit) wants
    rows = []
    for unit_id, assessment in latest.items():
        reported = assessment.status != Assessment.Status.NOT_REPORTED
        rows.append(ImportedResult(
            province=province, year=year, unit_id=unit_id, unit_kind_id=assessment.unit.kind_id,
            framework_id=assessment.framework_id, reported=reported,
            total=assessment.final_total if reported else None, parts=assessment.final_parts if reported else {},
            source=f"Kỳ đánh giá: {assessment.period.name}"[:255]))
    ImportedResult.objects.bulk_create(rows, update_conflicts=True, unique_fields=["province", "year", "unit"],
                                       update_fields=["unit_kind", "framework", "reported", "total", "parts", "source"])


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def file_slug(text: str) -> str:
    """An ASCII file name from a Vietnamese name: "Sở Tài chính" → "so-tai-chinh"."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return re.sub(r"[^a-z0-9]+", "-", text.encode("ascii", "ignore").decode().lower()).strip("-")[:60] or "don-vi"


def scorecard_filename(card: Scorecard) -> str:
    return f"{card.position + 1:03d}-{file_slug(card.unit_name)}.pdf"


def _check_ready(province, year: int) -> None:
    """Every assessment of the year final (or not reported), and results to publish."""
    of_year = Assessment.objects.filter(period__province=province, period__year=year)
    pending = sorted(of_year.exclude(status__in=DONE).select_related("unit", "unit__kind"),
                     key=lambda a: (a.unit.kind.order, vn_sort_key(a.unit.name)))
    if pending:
        names = ", ".join(f"{a.unit.name} ({a.get_status_display().lower()})" for a in pending)
        raise ValidationError(f"Chưa công bố được: {len(pending)} bản đánh giá chưa chốt kết quả: {names}.")
    if not of_year.exists() and not ImportedResult.objects.filter(province=province, year=year).exists():
        raise ValidationError(f"Chưa có kết quả năm {year} để công bố.")


def publication_plan(province, year: int) -> dict:
    """What publishing `year` would do now, for the confirmation page: the assessments that become
    published (and read-only for good), those not reported, how many imported results are frozen,
    and the refusal `publication_request` would give ("" when it may be done). A few queries, none per unit."""
    units = {"final": [], "not_reported": [], "published": []}
    refusal = ""
    for _, name, status in sorted(Assessment.objects.filter(period__province=province, period__year=year)
                                  .values_list("unit__kind__order", "unit__name", "status"),
                                  key=lambda row: (row[0], vn_sort_key(row[1]))):
        if status in units:
            units[status].append(name)
    try:
        _check_ready(province, year)
    except ValidationError as error:
        refusal = " ".join(error.messages)
    existing = Publication.objects.filter(province=province, year=year).select_related("requested_by").first()
    if existing is not None and not refusal:
        refusal = _refusal(existing, year)
    imported = 0 if units["final"] or units["not_reported"] else ImportedResult.objects.filter(province=province, year=year).count()
    return {"year": year, "final": units["final"], "not_reported": units["not_reported"], "imported": imported,
            "refusal": refusal}


def _refusal(existing: Publication | None, year: int) -> str:
    if existing is None:  # the request recorded first was rolled back in the meantime
        return f"Một yêu cầu công bố kết quả năm {year} khác vừa được gửi cùng lúc; hãy tải lại trang rồi thử lại."
    if existing.is_published:
        return (f"Kết quả năm {year} đã được công bố theo quyết định {existing.decision_number} "
                f"ngày {existing.decision_date:%d/%m/%Y}; không công bố lại.")
    who = (existing.requested_by.full_name or existing.requested_by.username) if existing.requested_by else "người khác"
    when = timezone.localtime(existing.requested_at).strftime("%H:%M ngày %d/%m/%Y")
    state = "đang được tạo" if existing.in_progress else "bị lỗi: hãy bấm “Thử lại” ở yêu cầu đó"
    return (f"Kết quả năm {year} đã có yêu cầu công bố (quyết định {existing.decision_number}, do {who} gửi lúc {when}) "
            f"và {state}; không tạo yêu cầu thứ hai.")


def publication_move(action: str, publication: Publication, *, of_attempt: int, actor=None, reason: str = "",
                     **fields) -> bool:
    """Move a publication by the transitions table (`action`), within the worker's attempt: a
    conditional UPDATE, so when a retry or another worker got there first it is False and nothing
    moves — two workers never both make one move. Its audit entry is written with it."""
    return transitions.try_move(action, publication, actor=actor, where={"attempt": of_attempt}, reason=reason,
                                fields={"progress_at": timezone.now(), **fields}, label=publication_label(publication))


def publication_label(publication: Publication) -> str:
    return f"Công bố kết quả năm {publication.year}"


def _enqueue_prepare(publication: Publication) -> None:
    from .tasks import publication_prepare_task

    province_id, pk, attempt = publication.province_id, publication.pk, publication.attempt
    # The worker must see the committed row: queue only once the surrounding transaction commits.
    transaction.on_commit(lambda: publication_prepare_task.enqueue(province_id, pk, attempt))


def publication_request(*, province, year: int, decision_number: str, decision_date, signer: str, actor) -> Publication:
    """Check the year, record the request and queue the work: answers at once, whatever the size.

    Two requests for one year at the same moment: the unique constraint on (province, year) lets
    one row in and the other gets a refusal naming it (never a check-then-insert race)."""
    _check_ready(province, year)
    try:
        with transaction.atomic():
            publication = Publication(province=province, year=year, decision_number=decision_number,
                                      decision_date=decision_date, signer=signer, requested_by=actor)
            transitions.create("publication.requested", publication, actor=actor, label=publication_label(publication),
                               new={"decision": decision_number, "decision_date": decision_date.isoformat(), "signer": signer})
    except IntegrityError:
        existing = Publication.objects.filter(province=province, year=year).select_related("requested_by").first()
        raise ValidationError(_refusal(existing, year)) from None
    _enqueue_prepare(publication)
    return publication


def publication_retry(*, publication: Publication, actor) -> Publication:
    """Start a failed (or stalled) publication again as a new attempt; tasks of the old one stop."""
    if not publication.can_retry():
        raise ValidationError("Chỉ thử lại được một lần công bố bị lỗi hoặc đã lâu không có tiến triển.")
    with transaction.atomic():
        if not publication_move("publication.retried", publication, of_attempt=publication.attempt, actor=actor,
                                error="", attempt=F("attempt") + 1):
            raise ValidationError("Lần công bố này vừa thay đổi trạng thái; hãy tải lại trang.")
        _enqueue_prepare(publication)
    return publication


def publication_discard(*, publication: Publication, actor) -> None:
    """Remove a failed request and its files, so the year can be requested again (e.g. another decision)."""
    folder = publication_folder(publication)
    with transaction.atomic():
        # Conditional, like a move: a retry started meanwhile keeps the publication.
        deleted, _ = Publication.objects.filter(pk=publication.pk, status=Status.FAILED).delete()
        if not deleted:
            raise ValidationError("Chỉ huỷ được một yêu cầu công bố bị lỗi.")
        record("publication.discarded", actor=actor, target=publication, label=publication_label(publication),
               old={"decision": publication.decision_number, "error": publication.error})
        transaction.on_commit(lambda: _delete_folder(folder))


def _delete_folder(folder: str) -> None:
    storage = Publication._meta.get_field("pdf").storage
    for sub in ("", "/phieu-diem"):
        try:
            _, files = storage.listdir(folder + sub)
        except FileNotFoundError:
            continue
        for name in files:
            storage.delete(f"{folder}{sub}/{name}")


# --- the workers' steps ---------------------------------------------------------------------
def _frozen_tables(province, year: int) -> list[dict]:
    """The year's ranking tables as publishing will make them. The final scores are materialised
    inside a savepoint that is then rolled back: the year's results appear only when the
    publication commits (publication_finish materialises them again, for good)."""
    with transaction.atomic():
        _materialise(province, year)
        tables = _tables(province, year)
        transaction.set_rollback(True)
    if not tables:
        raise ValidationError(f"Chưa có kết quả năm {year} để công bố.")
    return tables


def _tables(province, year: int) -> list[dict]:
    kinds = UnitKind.objects.filter(province=province).order_by("order", "pk")
    return [snapshot_of(t) for t in (ranking_table(province, year, k) for k in kinds) if t]


def _scorecards(province, year: int, tables: list[dict]) -> list[dict]:
    """Each appraised unit's scorecard: its per-criterion rows and its line of the ranking, in the
    order of the tables (kind, then rank)."""
    # by unit, not by name: a ranking row carries the name of its year (lineage), the assessment today's name
    lines = {(t["kind"], r.get("unit_id")): (n, t, r) for n, t in enumerate(tables) for r in t["rows"]}
    assessments = {(a.unit.name, str(a.framework)): a for a in _appraised(province, year)}
    cards = []
    for unit in appendix(province, year):
        assessment = assessments[(unit["unit"], unit["framework"])]
        n, table, row = lines.get((assessment.unit.kind.name, assessment.unit_id), (len(tables), None, None))
        summary = {} if row is None else {
            "kind": table["kind"], "rank": row["rank"], "of": len(table["rows"]), "total": row["total"],
            "index": row["index"], "band": row["band"], "max_total": table["max_total"]}
        cards.append({"unit_id": assessment.unit_id, "unit": row["unit"] if row else unit["unit"], "framework": unit["framework"],
                      "rows": unit["rows"], "summary": summary, "order": (n, row["rank"] if row and row["rank"] else 10**6, unit["unit"])})
    cards.sort(key=lambda c: (*c["order"][:2], vn_sort_key(c["order"][2])))  # ties in Vietnamese order
    return cards


def _in_charge(publication: Publication, attempt: int) -> bool:
    return Publication.objects.filter(pk=publication.pk, attempt=attempt, status=Status.RUNNING).exists()


def publication_prepare(publication: Publication, attempt: int) -> bool:
    """Freeze what will be published: the tables, and each unit's scorecard rows. Files an earlier
    attempt made from the same data are kept, the others dropped. False if this attempt is no
    longer in charge (a retry started another)."""
    if not publication_move("publication.started", publication, of_attempt=attempt):
        return False
    province, year = publication.province, publication.year
    _check_ready(province, year)
    tables = _frozen_tables(province, year)
    cards = _scorecards(province, year, tables)
    meta = {"province": province.name, "agency": province.coordinating_agency, "year": year,
            "decision_number": publication.decision_number, "decision_date": publication.decision_date.strftime("%d/%m/%Y"),
            "signer": publication.signer, "scorecards": len(cards)}
    snapshot = {"meta": meta, "tables": tables}
    with transaction.atomic():
        locked = Publication.objects.select_for_update().get(pk=publication.pk)
        if locked.attempt != attempt or locked.status != Status.RUNNING:
            return False
        existing = {card.unit_id: card for card in locked.scorecards.all()}
        new, changed = [], []
        for position, card in enumerate(cards):
            old = existing.pop(card["unit_id"], None)
            values = {"unit_name": card["unit"], "framework": card["framework"], "rows": card["rows"],
                      "summary": card["summary"], "position": position}
            if old is None:
                new.append(Scorecard(publication=locked, unit_id=card["unit_id"], **values))
            elif any(getattr(old, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(old, key, value)
                old.pdf, old.pdf_sha256 = "", ""  # re-rendered; the old file is swept when the publication completes
                changed.append(old)
        Scorecard.objects.filter(pk__in=[card.pk for card in existing.values()]).delete()
        Scorecard.objects.bulk_create(new)
        Scorecard.objects.bulk_update(changed, ["unit_name", "framework", "rows", "summary", "position", "pdf", "pdf_sha256"])
        fields = {"snapshot": snapshot, "parts_total": len(cards) + 2, "bundle": "", "bundle_sha256": "",
                  "progress_at": timezone.now()}
        if locked.snapshot != snapshot:
            fields |= {"pdf": "", "pdf_sha256": ""}
        if locked.snapshot != snapshot or new or changed or existing:
            fields |= {"xlsx": "", "xlsx_sha256": ""}
        Publication.objects.filter(pk=locked.pk).update(**fields)
    publication.refresh_from_db()
    return True


def parts_left(publication: Publication) -> dict:
    """What remains to render: the report, the workbook, the ids of scorecards without a file."""
    return {"report": not publication.pdf_sha256, "workbook": not publication.xlsx_sha256,
            "scorecards": list(publication.scorecards.filter(pdf_sha256="").values_list("pk", flat=True))}


def _store(publication: Publication, attempt: int, field: str, filename: str, content: bytes) -> bool:
    """Save a rendered file, then name it on the row if this attempt is still in charge and nobody
    stored it first; otherwise delete the file again. A file is counted only once a row names it."""
    storage = Publication._meta.get_field(field).storage
    name = storage.save(f"{publication_folder(publication)}/{filename}", ContentFile(content))
    stored = Publication.objects.filter(pk=publication.pk, attempt=attempt, status=Status.RUNNING, **{f"{field}_sha256": ""}).update(
        **{field: name, f"{field}_sha256": _sha(content)}, progress_at=timezone.now()) == 1
    if not stored:
        storage.delete(name)
    return stored


def report_render(publication: Publication, attempt: int) -> bool:
    """The official report: a few pages, whatever the number of units."""
    from .report import render_pdf

    if publication.pdf_sha256:
        return False
    return _store(publication, attempt, "pdf", f"bao-cao-dti-{publication.year}.pdf", render_pdf(publication.snapshot))


def workbook_render(publication: Publication, attempt: int) -> bool:
    """The workbook: every table, then the detail of every criterion of every unit."""
    from .report import render_workbook

    if publication.xlsx_sha256:
        return False
    details = [{"unit": name, "rows": rows} for name, rows in publication.scorecards.values_list("unit_name", "rows")]
    return _store(publication, attempt, "xlsx", f"bao-cao-dti-{publication.year}.xlsx", render_workbook(publication.snapshot, details))


def scorecards_render(publication: Publication, attempt: int, ids: list[int]) -> int:
    """Render the scorecards `ids` still without a file; stop as soon as this attempt is no longer in charge."""
    from .report import render_scorecard

    storage = Scorecard._meta.get_field("pdf").storage
    meta, done = publication.snapshot["meta"], 0
    for card in Scorecard.objects.filter(publication=publication, pk__in=ids, pdf_sha256=""):
        if not _in_charge(publication, attempt):
            break
        try:
            content = render_scorecard(meta, {"unit": card.unit_name, "framework": card.framework, "rows": card.rows,
                                              "summary": card.summary})
        except Exception as error:
            raise ValidationError(f"Lỗi khi tạo phiếu điểm của {card.unit_name}: {type(error).__name__}: {error}") from error
        name = storage.save(card.pdf.field.generate_filename(card, scorecard_filename(card)), ContentFile(content))
        stored = Scorecard.objects.filter(pk=card.pk, pdf_sha256="", publication__attempt=attempt,
                                          publication__status=Status.RUNNING).update(pdf=name, pdf_sha256=_sha(content)) == 1
        if stored:
            Publication.objects.filter(pk=publication.pk).update(progress_at=timezone.now())
            done += 1
        else:
            storage.delete(name)
    return done


def publication_finish(publication: Publication, attempt: int) -> bool:
    """Once every file exists: zip the scorecards, then in one transaction check that nothing
    changed since the snapshot, materialise the year's results, mark the assessments published
    and the publication PUBLISHED. Idempotent: a second call (two parts ending at once) does nothing."""
    from .report import render_bundle

    publication.refresh_from_db()
    if publication.status != Status.RUNNING or publication.attempt != attempt:
        return False
    left = parts_left(publication)
    if left["report"] or left["workbook"] or left["scorecards"]:
        return False
    cards = list(publication.scorecards.all())
    if cards and not publication.bundle_sha256:  # results imported from files have no scorecards
        files = []
        for card in cards:
            with card.pdf.open("rb") as f:
                files.append((scorecard_filename(card), f.read()))
        _store(publication, attempt, "bundle", f"phieu-diem-{publication.year}.zip", render_bundle(files))
    province, year = publication.province, publication.year
    with transaction.atomic():
        locked = Publication.objects.select_for_update().get(pk=publication.pk)
        if locked.status != Status.RUNNING or locked.attempt != attempt or (cards and not locked.bundle_sha256):
            return False
        _check_ready(province, year)
        _materialise(province, year)
        if _tables(province, year) != locked.snapshot["tables"] or [
                (c["unit_id"], c["rows"]) for c in _scorecards(province, year, locked.snapshot["tables"])] != [
                (c.unit_id, c.rows) for c in cards]:
            raise ValidationError("Kết quả của năm đã thay đổi trong lúc tạo báo cáo (có bản đánh giá vừa được mở lại "
                                  "hoặc chốt lại); bấm “Thử lại” để tạo lại báo cáo từ kết quả mới.")
        finals = list(Assessment.objects.select_for_update().filter(
            period__province=province, period__year=year, status=Assessment.Status.FINAL).select_related("period", "unit"))
        transitions.move_all("assessment.published", finals, actor=locked.requested_by,
                             new={"decision": locked.decision_number})
        publication_move("publication.published", locked, of_attempt=attempt, actor=locked.requested_by,
                         published_at=timezone.now(), published_by_id=locked.requested_by_id)
    publication.refresh_from_db()
    _sweep(publication)
    return True


def publication_fail(publication: Publication, attempt: int, reason: str) -> bool:
    """Record why this attempt failed; the page shows the reason and offers a retry."""
    return publication_move("publication.failed", publication, of_attempt=attempt, reason=reason[:2000], error=reason[:2000])


def _sweep(publication: Publication) -> None:
    """Delete files in the publication's folder that no row names: left by a worker killed between
    writing a file and recording it, or replaced by a retry."""
    storage = Publication._meta.get_field("pdf").storage
    named = {publication.pdf.name, publication.xlsx.name, publication.bundle.name,
             *publication.scorecards.values_list("pdf", flat=True)}
    folder = publication_folder(publication)
    for sub in ("", "/phieu-diem"):
        try:
            _, files = storage.listdir(folder + sub)
        except FileNotFoundError:
            continue
        for name in files:
            if f"{folder}{sub}/{name}" not in named:
                storage.delete(f"{folder}{sub}/{name}")


def decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)

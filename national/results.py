"""Writes of the province's national results (922/QĐ-BTTTT) by year: the result itself (total and
rank among provinces), its pillars' ranks and printed points, other provinces' totals, and the
import of a year's published table into the FINAL assessment of the province's own unit (kind
"tinh"). Reads are in `national.analysis`.

Every service is atomic, refuses bad input with a Vietnamese ValidationError and writes one
entry of the audit log (`national.result_saved`, `national.ranks_saved`, `national.peers_saved`,
`national.result_imported`). Criterion points live in `Answer.final_score`, the reason points
were lost in `Answer.reason`; `Answer.note` keeps what the province noticed about the
publication itself (a criterion printed above its max, a code printed wrong), shown as a flag.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from assessments.models import Answer, Assessment, Period
from assessments.totals import FINAL_STATUSES, refresh_totals
from dti_portal.audit import transitions
from dti_portal.audit.services import changes, record
from dti_portal.exports import csv_text
from dti_portal.tenancy.models import Province, Unit
from indicators import tables
from indicators.catalogue import Problem, clean_code, column_key
from indicators.models import Framework, Indicator
from indicators.scoring import ScoringError, format_number, parse_number

from .models import NationalResult, PeerTotal, PillarResult

PROVINCE_KIND = "tinh"  # the unit kind of the province's own national result
MAX_PROVINCES = 100  # 63 until 2024, 34 from 2025: far below this
MAX_PEERS = 100
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_ROWS = 500  # a national catalogue has about 110 rows
TOTAL_CODES = {"tong", "tổng", "tổng điểm", "tổng cộng", "total"}


def period_name(year: int) -> str:
    """The period a year's national result is kept in (the demo's 2021 one is named so too)."""
    return f"Chỉ số DTI cấp tỉnh năm {year} (Bộ TTTT đánh giá)"


def _text(value) -> str:
    return format_number(value) if value is not None else ""


def parse_rank(value, provinces: int, label: str) -> int | None:
    """A rank among `provinces`: a whole number from 1; None when left empty."""
    if value in (None, ""):
        return None
    try:
        number = parse_number(value, field=label, places=0)
    except ScoringError as error:
        raise ValidationError(error.message) from error
    if number < 1:
        raise ValidationError(f"{label}: hạng phải từ 1 trở lên (hạng 1 là cao nhất).")
    if number > provinces:
        raise ValidationError(f"{label}: hạng {format_number(number)} lớn hơn số tỉnh, thành phố được xếp hạng ({provinces}).")
    return int(number)


def _points(value, maximum: Decimal | None, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = value if isinstance(value, Decimal) else parse_number(value, field=label)
    except ScoringError as error:
        raise ValidationError(error.message) from error
    if number < 0:
        raise ValidationError(f"{label}: điểm không được âm.")
    if maximum is not None and number > maximum:
        raise ValidationError(f"{label}: {format_number(number)} điểm lớn hơn điểm tối đa {format_number(maximum)}.")
    return number


def framework_max(framework: Framework) -> Decimal:
    return sum((i.max_points for i in framework.indicators.filter(parent__isnull=True)), Decimal(0))


def _result_values(result: NationalResult) -> dict:
    return {"year": result.year, "rank": result.rank, "provinces": result.provinces,
            "published_total": _text(result.published_total), "source": result.source}


# --- the result of a year -----------------------------------------------------------------
@transaction.atomic
def result_save(*, province: Province, year: int, assessment: Assessment, rank, provinces, published_total, source: str,
                actor, notes: dict[str, str] | None = None, reasons: dict[str, str] | None = None) -> NationalResult:
    """Create or update the province's national result of `year` over `assessment` (a FINAL result of
    its "tinh" unit). `notes` (criterion code → text) are remarks on the publication itself, kept on
    the criteria's answers and shown as flags; `reasons` set reasons as published (a group's too)."""
    if assessment.period.province_id != province.pk:
        raise ValidationError("Bản đánh giá không thuộc tỉnh này.")
    if assessment.unit.kind.code != PROVINCE_KIND:
        raise ValidationError(f"Kết quả DTI cấp tỉnh phải là kết quả của đơn vị loại “{PROVINCE_KIND}” (UBND tỉnh), "
                              f"không phải của {assessment.unit}.")
    if assessment.status not in FINAL_STATUSES:
        raise ValidationError("Kết quả DTI cấp tỉnh phải là kết quả đã chốt.")
    try:
        provinces = int(parse_number(provinces, field="Số tỉnh được xếp hạng", places=0))
    except ScoringError as error:
        raise ValidationError(error.message) from error
    if not 1 <= provinces <= MAX_PROVINCES:
        raise ValidationError(f"Số tỉnh, thành phố được xếp hạng phải từ 1 đến {MAX_PROVINCES} (63 đến năm 2024, 34 từ năm 2025).")
    rank = parse_rank(rank, provinces, "Xếp hạng chung")
    published_total = _points(published_total, framework_max(assessment.framework), "Tổng điểm công bố")
    source = (source or "").strip()
    if len(source) > 255:
        raise ValidationError(f"Nguồn dài {len(source)} ký tự; tối đa 255.")
    other = NationalResult.objects.filter(assessment=assessment).exclude(province=province, year=year).first()
    if other is not None:
        raise ValidationError(f"Bản đánh giá này đã là kết quả năm {other.year}.")
    result = NationalResult.objects.filter(province=province, year=year).first()
    before = _result_values(result) if result else {}
    if result is None:
        result = NationalResult(province=province, year=year)
    result.assessment, result.rank, result.provinces = assessment, rank, provinces
    result.published_total, result.source = published_total, source
    result.save()
    after = _result_values(result)
    if notes:
        after["notes"] = _save_texts(assessment, "note", notes)
    if reasons:
        after["reasons"] = _save_texts(assessment, "reason", reasons)
    old, new = changes(before, after)
    if not before or new:  # saving the form unchanged writes nothing
        record("national.result_saved", actor=actor, target=result, old=old, new=new if before else after)
    return result


def _save_texts(assessment: Assessment, name: str, texts: dict[str, str]) -> dict[str, str]:
    """Set the answers' `name` ("note" or "reason") by criterion code; a group gets an answer of its own
    (no points: a group's points are its criteria's sum)."""
    indicators = {i.code: i for i in assessment.framework.indicators.all()}
    unknown = [code for code in texts if code not in indicators]
    if unknown:
        raise ValidationError(f"Mã “{unknown[0]}” không có trong bộ chỉ số {assessment.framework}.")
    for code, text in texts.items():
        Answer.objects.update_or_create(assessment=assessment, indicator=indicators[code], defaults={name: text.strip()})
    return {code: text.strip() for code, text in texts.items()}


# --- pillars ------------------------------------------------------------------------------
@transaction.atomic
def pillars_save(*, result: NationalResult, pillars: dict[Indicator, tuple[int | None, Decimal | None]], actor) -> None:
    """Ranks and printed points of the result's pillars (top-level indicators of its catalogue)."""
    framework_id = result.assessment.framework_id
    existing = {p.indicator_id: p for p in result.pillars.select_related("indicator")}
    before = {p.indicator.code: [p.rank, _text(p.published_points)] for p in existing.values()}
    after = dict(before)
    for indicator, (rank, points) in pillars.items():
        if indicator.framework_id != framework_id or indicator.parent_id is not None:
            raise ValidationError(f"“{indicator.code} {indicator.name}” không phải trụ cột của bộ chỉ số năm {result.year}.")
        label = f"Trụ cột {indicator.code}"
        rank = parse_rank(rank, result.provinces, label)
        points = _points(points, indicator.max_points, label)
        pillar = existing.get(indicator.pk)
        if pillar is None and rank is None and points is None:
            continue  # nothing entered for a pillar without a row (pillar 9 has no points, no rank)
        pillar = pillar or PillarResult(result=result, indicator=indicator)
        pillar.rank, pillar.published_points = rank, points
        pillar.save()
        after[indicator.code] = [rank, _text(points)]
    old, new = changes(before, after)
    if new:
        record("national.ranks_saved", actor=actor, target=result, old=old, new=new)


# --- other provinces ----------------------------------------------------------------------
@transaction.atomic
def peers_save(*, result: NationalResult, peers: list[tuple[str, Decimal]], actor) -> None:
    """Replace the other provinces' published totals of the result's year (for projected ranks)."""
    if len(peers) > MAX_PEERS:
        raise ValidationError(f"Có {len(peers)} tỉnh; tối đa {MAX_PEERS}.")
    if len(peers) >= result.provinces:
        raise ValidationError(f"Có {len(peers)} tỉnh khác nhưng chỉ {result.provinces} tỉnh, thành phố được xếp hạng "
                              f"(kể cả {result.province.name}).")
    maximum = framework_max(result.assessment.framework)
    seen: set[str] = set()
    cleaned = []
    for name, total in peers:
        name = " ".join((name or "").split())
        if not name:
            raise ValidationError("Thiếu tên tỉnh, thành phố.")
        if len(name) > 120:
            raise ValidationError(f"Tên “{name[:40]}…” dài quá 120 ký tự.")
        if name.casefold() in seen:
            raise ValidationError(f"“{name}” có hai lần.")
        if name.casefold() == result.province.name.casefold():
            raise ValidationError(f"“{name}” là chính tỉnh mình: tổng điểm của tỉnh nhập ở kết quả năm {result.year}.")
        seen.add(name.casefold())
        cleaned.append((name, _points(total, maximum, name)))
    before = {p.name: _text(p.total) for p in result.peers.all()}
    result.peers.all().delete()
    PeerTotal.objects.bulk_create(PeerTotal(result=result, name=name, total=total) for name, total in cleaned)
    after = {name: _text(total) for name, total in cleaned}
    old, new = changes(before, after)
    if old or new:
        record("national.peers_saved", actor=actor, target=result, old=old, new=new)


def parse_peers(text: str) -> list[tuple[str, Decimal]]:
    """Lines "Lâm Đồng: 512,34" (or with a tab or ";"), as pasted from the ministry's table."""
    peers, errors = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        for mark in ("\t", ";", ":"):
            if mark in line:
                name, _, value = line.rpartition(mark)
                break
        else:
            errors.append(f"Dòng {number}: viết “Tên tỉnh: tổng điểm”, ví dụ “Lâm Đồng: 512,34”.")
            continue
        try:
            peers.append((name.strip(), parse_number(value.strip(), field=f"Dòng {number}")))
        except ScoringError as error:
            errors.append(error.message)
    if errors:
        raise ValidationError(errors)
    return peers


# --- importing a year ---------------------------------------------------------------------
EXTRA_COLUMNS = {"rank": ("rank", "xếp hạng", "hạng", "thứ hạng"), "note": ("note", "ghi chú", "ghi chú công bố")}


def _key(header) -> str | None:
    if header is None:
        return None
    key = column_key(str(header))
    if key:
        return key
    folded = str(header).strip().casefold()
    return next((k for k, names in EXTRA_COLUMNS.items() if folded in names), None)


@dataclass
class ResultImport:
    dry_run: bool
    year: int
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    criteria: int = 0
    result: NationalResult | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Line:
    line: int
    code: str
    achieved: Decimal | None
    reason: str
    note: str
    rank: int | None


def national_framework(province: Province, year: int) -> Framework | None:
    """The national catalogue of `year`: the one its result uses, else an active (or the newest) "tinh" one."""
    result = NationalResult.objects.filter(province=province, year=year).select_related("assessment__framework").first()
    if result is not None:
        return result.assessment.framework
    return (Framework.objects.filter(province=province, year=year, unit_kind__code=PROVINCE_KIND)
            .exclude(status=Framework.Status.DRAFT).order_by("status", "-pk").first()
            or Framework.objects.filter(province=province, year=year, unit_kind__code=PROVINCE_KIND).order_by("-pk").first())


def _read(filename: str, content: bytes, report: ResultImport):
    table = tables.Table()
    name = (filename or "").lower()
    if not content:
        report.problems.append(Problem(None, "", "tệp rỗng, không có dữ liệu."))
        return None
    if len(content) > MAX_IMPORT_BYTES:
        report.problems.append(Problem(None, "", f"tệp lớn hơn {MAX_IMPORT_BYTES // (1024 * 1024)} MB."))
        return None
    if name.endswith(".xlsx"):
        dataset = tables._read_xlsx(content, table)  # the catalogue's hardened readers (sizes, zip bombs)
    elif name.endswith(".csv"):
        dataset = tables._read_csv(content, table)
    else:
        report.problems.append(Problem(None, "", "chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."))
        return None
    report.problems += table.problems
    if dataset is None:
        return None
    if len(dataset) > MAX_ROWS:
        report.problems.append(Problem(None, "", f"tệp có {len(dataset)} dòng; một bộ chỉ số cấp tỉnh có khoảng 110 dòng "
                                                 f"(tối đa {MAX_ROWS})."))
        return None
    return dataset


@transaction.atomic
def result_import(*, province: Province, year: int, filename: str, content: bytes, rank=None, provinces=63,
                  source: str = "", dry_run: bool = False, actor) -> ResultImport:
    """A year's published table (criterion code, achieved points, reason; pillar ranks, the total and its
    rank) into the FINAL assessment of the province's "tinh" unit for that year's national catalogue,
    and its `NationalResult` with pillars. All or nothing; `dry_run` is the preview."""
    report = ResultImport(dry_run=dry_run, year=year)
    framework = national_framework(province, year)
    units = list(Unit.objects.filter(province=province, kind__code=PROVINCE_KIND))
    if framework is None:
        report.problems.append(Problem(None, "", f"chưa có bộ chỉ số cấp tỉnh (loại đơn vị “{PROVINCE_KIND}”) của năm {year}: "
                                                 "hãy nhập bộ chỉ số, hoặc sao chép bộ chỉ số năm trước sang năm này "
                                                 "(Bộ chỉ số › Sao chép), rồi nhập lại."))
    if len(units) != 1:
        report.problems.append(Problem(None, "", f"tỉnh cần đúng một đơn vị loại “{PROVINCE_KIND}” (UBND tỉnh) để ghi kết quả; "
                                                 f"đang có {len(units)}."))
    try:
        provinces = int(parse_number(provinces, field="Số tỉnh được xếp hạng", places=0))
        if not 1 <= provinces <= MAX_PROVINCES:
            raise ValidationError("")
    except (ScoringError, ValidationError):
        report.problems.append(Problem(None, "", f"số tỉnh, thành phố được xếp hạng phải là số nguyên từ 1 đến {MAX_PROVINCES}."))
        provinces = MAX_PROVINCES
    dataset = _read(filename, content, report)
    if dataset is None or framework is None or report.problems:
        return report
    keys = [_key(h) for h in dataset.headers or []]
    missing = [label for key, label in (("code", "Mã (code)"), ("achieved", "Điểm đạt được (achieved)")) if key not in keys]
    if missing:
        report.problems.append(Problem(None, "", "thiếu cột: " + ", ".join(missing) + "."))
        return report

    indicators = {i.code: i for i in framework.indicators.all()}
    parents = {i.parent_id for i in indicators.values() if i.parent_id}
    lines: dict[str, _Line] = {}
    total_line = None
    for number, values in enumerate(dataset, start=2):
        cells = {k: v for k, v in zip(keys, (csv_text(v) for v in values)) if k}
        code = clean_code(cells.get("code"))
        if not code and not any(str(v or "").strip() for v in cells.values()):
            continue
        problems_before = len(report.problems)

        def fail(message, code=code, number=number):
            report.problems.append(Problem(number, code, message))

        def number_of(key, label):
            value = cells.get(key)
            if value is None or str(value).strip() == "":
                return None
            try:
                return parse_number(value, field=label)
            except ScoringError as error:
                fail(error.message)
                return None

        achieved = number_of("achieved", "Điểm đạt được")
        try:
            row_rank = parse_rank(cells.get("rank"), provinces, "Xếp hạng")
        except ValidationError as error:
            fail(error.messages[0])
            row_rank = None
        reason = str(cells.get("reason") or "").strip()
        note = str(cells.get("note") or "").strip()
        if code.casefold() in TOTAL_CODES:
            total_line = _Line(number, code, achieved, reason, note, row_rank)
            continue
        indicator = indicators.get(code)
        if not code:
            fail("thiếu mã chỉ số.")
            continue
        if indicator is None:
            fail(f"mã “{code}” không có trong bộ chỉ số {framework.name} năm {framework.year}. Mã là văn bản: "
                 "“6.20” khác “6.2” — hãy kiểm tra bảng tính có tự đổi mã thành số không.")
            continue
        if code in lines:
            fail(f"mã “{code}” có hai lần (dòng {lines[code].line} và {number}). Mã là văn bản: “6.20” khác “6.2” — "
                 "hãy kiểm tra bảng tính có tự đổi mã thành số không.")
            continue
        if achieved is not None and achieved > indicator.max_points:
            fail(f"điểm đạt {format_number(achieved)} lớn hơn điểm tối đa {format_number(indicator.max_points)}. "
                 "Nếu bản công bố in như vậy, hãy ghi điểm được ghi nhận (không quá điểm tối đa) và nói rõ sai sót ở cột "
                 "“Ghi chú”.")
        if row_rank is not None and indicator.parent_id is not None:
            fail("chỉ ghi xếp hạng ở dòng trụ cột (mã 1, 2, …) hoặc dòng “Tổng”.")
        if len(report.problems) == problems_before:
            lines[code] = _Line(number, code, achieved, reason, note, row_rank)
    if total_line is not None and rank in (None, ""):
        rank = total_line.rank  # the file's "Tổng" row, when the form left the rank empty
    try:
        rank = parse_rank(rank, provinces, "Xếp hạng chung")
    except ValidationError as error:
        report.problems.append(Problem(None, "", error.messages[0]))
    maximum = framework_max(framework)
    published_total = total_line.achieved if total_line else None
    if published_total is not None and published_total > maximum:
        report.problems.append(Problem(total_line.line, total_line.code, f"tổng {format_number(published_total)} điểm lớn hơn "
                                                                         f"tối đa {format_number(maximum)}."))
    leaves = [i for i in indicators.values() if i.pk not in parents and i.max_points > 0]
    scored = [i for i in leaves if i.code in lines and lines[i.code].achieved is not None]
    if not scored and not report.problems:
        report.problems.append(Problem(None, "", "tệp không có điểm đạt được của chỉ số nào."))
    if report.problems:
        transaction.set_rollback(True)
        return report
    absent = [i.code for i in leaves if i.code not in lines or lines[i.code].achieved is None]
    if absent:
        report.notes.append(Problem(None, "", f"{len(absent)} chỉ số không có điểm trong tệp (để trống): "
                                              + ", ".join(absent[:12]) + ("…" if len(absent) > 12 else "") + "."))
    report.notes += _sum_notes(indicators, lines)
    report.criteria = len(scored)

    result = _import_save(province, year, framework, units[0], lines, rank, provinces, published_total,
                          source or filename, filename, actor, report)
    report.result = None if dry_run else result
    if dry_run or report.problems:
        transaction.set_rollback(True)
    return report


def _sum_notes(indicators: dict[str, Indicator], lines: dict[str, _Line]) -> list[Problem]:
    """Groups whose printed points differ from the sum of their criteria (kept, flagged on the page)."""
    by_pk = {i.pk: i for i in indicators.values()}
    children: dict[int, list[Indicator]] = {}
    for i in indicators.values():
        if i.parent_id:
            children.setdefault(i.parent_id, []).append(i)

    def computed(indicator) -> Decimal | None:
        kids = children.get(indicator.pk)
        if not kids:
            line = lines.get(indicator.code)
            return line.achieved if line else None
        parts = [p for p in (computed(k) for k in kids) if p is not None]
        return sum(parts, Decimal(0)) if parts else None

    notes = []
    for code, line in lines.items():
        indicator = indicators[code]
        if indicator.pk in children and line.achieved is not None:
            total = computed(by_pk[indicator.pk])
            if total is not None and total != line.achieved:
                notes.append(Problem(line.line, code, f"điểm công bố {format_number(line.achieved)} khác tổng các chỉ số "
                                                      f"{format_number(total)}; giữ số công bố và đánh dấu sai lệch."))
    return notes


def _import_save(province, year, framework, unit, lines, rank, provinces, published_total, source, filename, actor,
                 report) -> NationalResult:
    result = NationalResult.objects.filter(province=province, year=year).select_related("assessment").first()
    assessment = result.assessment if result else None
    if assessment is None:
        period = Period.objects.filter(province=province, year=year, name=period_name(year)).first()
        if period is None:
            period = Period.objects.create(province=province, year=year, name=period_name(year))
            record("period.created", actor=actor, target=period, new={"name": period.name, "year": year})
        assessment = Assessment.objects.filter(period=period, unit=unit).first()
        if assessment is None:
            assessment = transitions.create("assessment.imported", Assessment(period=period, unit=unit, framework=framework),
                                            actor=actor, new={"framework": framework.pk})
        elif assessment.framework_id != framework.pk or assessment.status not in FINAL_STATUSES:
            report.problems.append(Problem(None, "", f"kỳ “{period.name}” đã có bản đánh giá của {unit} theo bộ chỉ số khác "
                                                     "hoặc chưa chốt; không ghi đè."))
            return None
    by_code = {i.code: i for i in framework.indicators.all()}
    answers = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment)}
    changed, created = [], []
    parents = {i.parent_id for i in by_code.values() if i.parent_id}
    for code, line in lines.items():
        indicator = by_code[code]
        answer = answers.get(indicator.pk)
        score = line.achieved if indicator.pk not in parents else None  # a group's points are its criteria's sum
        if answer is None:
            created.append(Answer(assessment=assessment, indicator=indicator, final_score=score, reason=line.reason,
                                  note=line.note, updated_by=actor if getattr(actor, "pk", None) else None))
        elif (answer.final_score, answer.reason, answer.note) != (score, line.reason, line.note):
            answer.final_score, answer.reason, answer.note = score, line.reason, line.note
            changed.append(answer)
    Answer.objects.bulk_create(created)
    Answer.objects.bulk_update(changed, ["final_score", "reason", "note"])
    refresh_totals([assessment.pk])

    before = _result_values(result) if result else {}
    if result is None:
        result = NationalResult(province=province, year=year, assessment=assessment)
    result.rank, result.provinces, result.published_total, result.source = rank, provinces, published_total, source[:255]
    result.save()
    pillars = {p.indicator_id: p for p in result.pillars.all()}
    for code, line in lines.items():
        indicator = by_code[code]
        if indicator.parent_id is None:
            pillar = pillars.get(indicator.pk) or PillarResult(result=result, indicator=indicator)
            pillar.rank = line.rank
            pillar.published_points = line.achieved
            pillar.save()
    old, new = changes(before, _result_values(result))
    record("national.result_imported", actor=actor, target=result, old=old,
           new=new | {"file": filename, "criteria": report.criteria, "answers_changed": len(changed) + len(created)})
    return result

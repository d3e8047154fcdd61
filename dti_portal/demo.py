"""Demo data from `fixtures/demo/`: the real provinces, units and one account per role.

Idempotent: running it again updates what exists and creates what is missing.
"""

import csv
import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django_scopes import scope, scopes_disabled

from indicators.scoring import format_number

from dti_portal.accounts.models import Membership, User
from dti_portal.tenancy.lineage import tenant_of
from dti_portal.tenancy.models import Province, Unit, UnitAlias, UnitKind, UnitLineage
from dti_portal.tenancy.names import name_key
from national.demo import load_national_demo

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
CATALOGUE_DIR = Path(settings.BASE_DIR) / "fixtures" / "catalogues"
DEMO_PASSWORD = "DTI-demo-2026"


def _rows(name: str) -> list[dict[str, str]]:
    with open(DEMO_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def demo_mergers() -> dict[str, tuple[str, date]]:
    """`mergers.csv`: slug of a merged province -> (slug of the province it was merged into, day)."""
    return {row["source"]: (row["target"], _date(row["effective_date"])) for row in _rows("mergers.csv")}


def demo_accounts() -> list[dict[str, str]]:
    """Rows of `accounts.csv`, each with `province_name` added, and where the role is held today:
    `tenant` (the slug) and `tenant_name` — a role of a merged province moved with it."""
    names = {row["slug"]: row["name"] for row in _rows("provinces.csv")}
    mergers = demo_mergers()
    rows = []
    for row in _rows("accounts.csv"):
        tenant = row["province"]
        while tenant in mergers:
            tenant = mergers[tenant][0]
        rows.append(row | {"province_name": names.get(row["province"], ""), "tenant": tenant,
                           "tenant_name": names.get(tenant, "")})
    return rows


@transaction.atomic
def load_demo(*, mergers: bool = True) -> dict[str, int]:
    """`mergers=False` leaves Đắk Nông a tenant of its own (the demo as before 01/07/2025): tests of
    what a province does with its own results use it; the demo itself merges."""
    with scopes_disabled():
        provinces = {}
        for row in _rows("provinces.csv"):
            provinces[row["slug"]], _ = Province.objects.update_or_create(
                slug=row["slug"], defaults={"name": row["name"], "coordinating_agency": row["coordinating_agency"]}
            )
        kinds = {}
        for row in _rows("unit_kinds.csv"):
            kinds[row["province"], row["code"]], _ = UnitKind.objects.update_or_create(
                province=provinces[row["province"]], code=row["code"],
                defaults={"name": row["name"], "order": int(row["order"])},
            )
        units = {}
        for row in _rows("units.csv"):
            kind = kinds[row["province"], row["kind"]]
            unit, _ = Unit.objects.update_or_create(
                province=kind.province, kind=kind, key=name_key(row["name"]),
                defaults={
                    "name": row["name"], "valid_from": _date(row["valid_from"]),
                    "valid_to": _date(row["valid_to"]), "note": row["note"],
                },
            )
            units[row["province"], row["name"]] = unit
            for alias in filter(None, row["aliases"].split("|")):
                UnitAlias.objects.get_or_create(unit=unit, key=name_key(alias), defaults={"name": alias})
        for row in _rows("lineage.csv"):
            UnitLineage.objects.update_or_create(
                predecessor=units[row["province"], row["predecessor"]],
                successor=units[row["province"], row["successor"]],
                defaults={"effective_date": _date(row["effective_date"]), "note": row["note"]},
            )
        for row in demo_accounts():
            user, _ = User.objects.get_or_create(username=row["username"])
            user.full_name = row["full_name"]
            user.email = f"{row['username']}@dti-demo.invalid"  # notifications show on the demo's console
            user.is_superuser = user.is_staff = row["role"] == "platform_admin"
            user.set_password(DEMO_PASSWORD)
            user.save()
            if row["role"] != "platform_admin":
                unit = units[row["province"], row["unit"]] if row["unit"] else None
                # Created in its own province; once that province is merged, the role is held where it moved.
                province = tenant_of(provinces[row["province"]])
                Membership.objects.update_or_create(user=user, province=province, role=row["role"], defaults={"unit": unit})
    frameworks = load_catalogues()
    load_demo_period()
    load_published_results()  # Đắk Nông published 2023 before the merger
    if mergers:
        request_publications()  # ... and its report (401/QĐ-UBND), so Lâm Đồng holds the files as published
    merged = load_demo_appraisal(mergers)  # Đắk Nông 2024: opened, merged into Lâm Đồng, appraised there
    load_national_demo()
    return {
        "provinces": len(provinces), "units": len(units), "accounts": len({r["username"] for r in demo_accounts()}),
        "frameworks": frameworks, "merged": merged,
    }


def catalogue_manifest() -> list[dict]:
    return json.loads((CATALOGUE_DIR / "manifest.json").read_text(encoding="utf-8"))


def load_catalogues() -> int:
    """Import every catalogue of `fixtures/catalogues/manifest.json` not yet in its province."""
    from indicators.models import Framework
    from indicators.services import framework_activate, framework_import

    loaded = 0
    for entry in catalogue_manifest():
        province = Province.objects.get(slug=entry["province"])
        with scope(province=province):
            if Framework.objects.filter(name=entry["name"], year=entry["year"], unit_kind__code=entry["unit_kind"]).exists():
                continue
            unit = None
            if entry.get("result_unit"):
                unit = Unit.objects.get(key=name_key(entry["result_unit"]))
            report = framework_import(
                actor=None, province=province, filename=entry["file"], content=(CATALOGUE_DIR / entry["file"]).read_bytes(),
                meta=_catalogue_meta(entry), result_unit=unit, result_period_name=entry.get("result_period_name", ""),
            )
            if not report.saved:
                raise ValueError(f"{entry['file']}: " + "; ".join(str(p) for p in report.problems))
            if entry.get("active", True):
                framework_activate(framework=report.framework, actor=None)
            loaded += 1
    return loaded


DEMO_PERIOD = "Đánh giá DTI năm 2025 (dữ liệu mẫu)"
# The criterion-level sample catalogues of fixtures/catalogues/ (decision "Mẫu (dựa trên 922/QĐ-BTTTT)").
SAMPLE_DECISION = "Mẫu (dựa trên 922/QĐ-BTTTT)"

# What the officer of Sở Y tế has typed in groups 1 and 2 of the sở sample, as the page posts it.
DEMO_ANSWERS = {
    "1.1": ({"option": "Phó Giám đốc sở là Trưởng ban"}, "Trưởng ban là Phó Giám đốc Sở phụ trách công nghệ thông tin"),
    "1.2": ({"value": "3"}, "Họp quý I, II và IV"),
    "1.3": ({"count": "4"}, ""),
    "1.4": ({"value": "có"}, "Chuyên mục “Chuyển đổi số y tế” trên Cổng thông tin điện tử của Sở"),
    "1.5": ({"count": "17"}, ""),
    "1.6": ({"ticked": ["Dự đầy đủ các cuộc họp của Ban chỉ đạo chuyển đổi số tỉnh",
                        "Hưởng ứng Ngày Chuyển đổi số quốc gia (10/10)",
                        "Gửi báo cáo định kỳ về chuyển đổi số đúng hạn"]}, "Chưa cử cán bộ tham gia Tổ giúp việc"),
    "1.7": ({"value": "có"}, "Hội thảo triển khai bệnh án điện tử tại các bệnh viện tuyến tỉnh"),
    "2.1": ({"value": "có"}, ""),
    "2.2": ({"option": "Ban hành trong quý I"}, ""),
    "2.3": ({"value": "có"}, ""),
    "2.4": ({"a": "2", "b": "3"}, "Dự án phần mềm quản lý hồ sơ sức khỏe chưa có ý kiến thẩm định"),
    "2.5": ({"count": "1"}, ""),
    "2.6": ({"a": "412,6", "b": "48.735,2"}, "Triệu đồng, theo báo cáo thực hiện dự toán"),
    "2.7": ({"value": "có"}, ""),
    "2.8": ({"value": "không"}, "Đang xây dựng danh mục cơ sở dữ liệu ngành y tế"),
}


def load_demo_period() -> None:
    """A period under way in Đắk Lắk: the sở and the new xã, phường answer the criterion-level samples."""
    from datetime import timedelta

    from django.utils import timezone

    from assessments.models import Period
    from assessments.services import answer_save, period_open, period_save
    from indicators.models import Framework

    province = Province.objects.get(slug="daklak")
    with scope(province=province):
        if Period.objects.filter(year=2025).exists():  # also a database made before the samples existed
            return
        frameworks = {f.unit_kind: f for f in Framework.objects.filter(decision_number=SAMPLE_DECISION, year=2025)}
        admin = User.objects.get(username="daklak.quantri")
        today = timezone.localdate()
        period = Period(
            province=province, year=2025, name=DEMO_PERIOD,
            self_assessment_start=today - timedelta(days=10), self_assessment_end=today + timedelta(days=20),
            round1_end=today + timedelta(days=35), explanation_end=today + timedelta(days=45),
            round2_end=today + timedelta(days=55), publication_date=today + timedelta(days=65),
        )
        period_save(period=period, frameworks=frameworks, actor=admin)
        period_open(period=period, actor=admin)
        # The demo officer's Sở Y tế has already started: groups 1 and 2 answered.
        assessment = period.assessments.select_related("framework").get(unit__name="Sở Y tế")
        officer = User.objects.get(username="daklak.canbo")
        indicators = {i.code: i for i in assessment.framework.indicators.filter(code__in=DEMO_ANSWERS)}
        for code, (inputs, note) in DEMO_ANSWERS.items():
            answer_save(assessment=assessment, indicator=indicators[code], inputs=inputs, note=note, actor=officer)


RESULT_FILES = [("daklak", 2020, "results_daklak_2020.csv"), ("daklak", 2023, "results_daklak_2023.csv"),
                ("daknong", 2023, "results_daknong_2023.csv")]


def load_published_results() -> None:
    """The results the provinces published (fixtures/results/, from shared/reference/)."""
    from rankings.models import ImportedResult
    from rankings.results import results_import

    for slug, year, name in RESULT_FILES:
        province = Province.objects.get(slug=slug)
        with scope(province=province):
            if ImportedResult.objects.filter(province=province, year=year).exists():
                continue
            path = Path(settings.BASE_DIR) / "fixtures" / "results" / name
            report = results_import(actor=None, province=province, year=year, filename=name, content=path.read_bytes())
            if not report.ok:
                raise ValueError(f"{name}: " + "; ".join(str(p) for p in report.problems))


def request_publications() -> None:
    """The reports the provinces published (fixtures/demo/publications.csv, decisions of the seeds), requested
    as a province admin requests one: the demo's worker renders the PDF, workbook and scorecards once
    `make demo` starts, under the name of the province that published them."""
    from rankings.models import Publication
    from rankings.publication import publication_request

    for row in _rows("publications.csv"):
        province, year = Province.objects.get(slug=row["province"]), int(row["year"])
        with scope(province=province):
            if Publication.objects.filter(province=province, year=year).exists():
                continue
            admin = User.objects.filter(username=f"{province.slug}.quantri").first()
            publication_request(province=province, year=year, decision_number=row["decision_number"],
                                decision_date=_date(row["decision_date"]), signer=row["signer"], actor=admin)


APPRAISAL_PERIOD = "Đánh giá DTI năm 2024 (dữ liệu mẫu)"
# unit -> the state the demo leaves it in (every other unit stays a draft)
APPRAISAL_STATES = {
    "Sở Thông tin và Truyền thông": "final",
    "Sở Tư pháp": "round2",
    "Sở Kế hoạch và Đầu tư": "explained",
    "UBND huyện Đắk Song": "returned",
    "Sở Nội vụ": "round1",
    "Sở Y tế": "submitted",
}


def load_demo_mergers() -> list[str]:
    """The mergers of `mergers.csv` (Đắk Nông into Lâm Đồng on 01/07/2025), each through the platform
    admin's own act, `province_merge`. Returns a line per merger done now, or refused: a database loaded
    by an older demo may hold a period in appraisal, and then the province is left as it was."""
    from django.core.exceptions import ValidationError

    from dti_portal.tenancy import services

    actor = User.objects.get(username="quantri")
    done = []
    for source_slug, (target_slug, day) in demo_mergers().items():
        with scopes_disabled():
            source, target = Province.objects.get(slug=source_slug), Province.objects.get(slug=target_slug)
            if source.merged_into_id:
                continue
            try:
                services.province_merge(source=source, target=target, effective_date=day, actor=actor)
            except ValidationError as refused:
                done.append(f"{source.name} chưa hợp nhất vào {target.name}: " + " ".join(refused.messages)
                            + " (xóa db.sqlite3 và nạp lại dữ liệu mẫu).")
            else:
                done.append(f"{source.name} đã hợp nhất vào {target.name} từ ngày {day:%d/%m/%Y}.")
    return done


def load_demo_appraisal(mergers: bool = True) -> list[str]:
    """Đắk Nông 2024 under 1552/QĐ-UBND, with units in every state of the workflow.

    The period is made and opened by Đắk Nông; before any unit submits, Đắk Nông is merged into Lâm Đồng
    (`load_demo_mergers`), and the rest of the workflow runs under Lâm Đồng with the roles that moved
    there: the period stays Đắk Nông's (it keeps its province), the receiving tenant carries it on.
    Returns what `load_demo_mergers` did."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from assessments import appraisal
    from assessments.models import Period
    from assessments.services import answer_save, assessment_submit, assignment_add, period_open, period_save
    from indicators.models import Framework

    province = Province.objects.get(slug="daknong")
    with scope(province=province):
        if Period.objects.filter(name=APPRAISAL_PERIOD).exists():
            return load_demo_mergers() if mergers else []
        users = {u.username: u for u in User.objects.filter(username__in=[
            "daknong.quantri", "daknong.thamdinh", "daknong.totruong", "thamdinh.chung"])}
        lead, appraiser, expert = users["daknong.totruong"], users["daknong.thamdinh"], users["thamdinh.chung"]
        frameworks = {f.unit_kind: f for f in Framework.objects.filter(decision_number="1552/QĐ-UBND")}
        today = timezone.localdate()
        period = Period(
            province=province, year=2024, name=APPRAISAL_PERIOD, lead=lead,
            self_assessment_start=today - timedelta(days=30), self_assessment_end=today + timedelta(days=10),
            round1_end=today + timedelta(days=25), explanation_end=today + timedelta(days=35),
            round2_end=today + timedelta(days=45), publication_date=today + timedelta(days=60),
        )
        period_save(period=period, frameworks=frameworks, actor=users["daknong.quantri"])
        period_open(period=period, actor=users["daknong.quantri"])
    merged = load_demo_mergers() if mergers else []
    tenant = tenant_of(Province.objects.get(pk=province.pk))
    with scope(province=tenant.lineage_ids):  # as the middleware does under /lamdong/
        for framework in frameworks.values():
            for group in framework.indicators.filter(parent__isnull=True):
                assignment_add(period=period, appraiser=appraiser, unit=None, group=group, actor=users["daknong.quantri"])
                if group.name == "An toàn thông tin mạng":  # one expert reviews cyber-security everywhere
                    assignment_add(period=period, appraiser=expert, unit=None, group=group, actor=users["daknong.quantri"])
        assessments = {a.unit.name: a for a in period.assessments.select_related("unit", "framework", "period")}
        officers = {m.unit_id: m.user for m in Membership.objects.filter(province=tenant, role="unit_officer")}
        fallback = users["daknong.quantri"]

        def fill(assessment, share):
            actor = officers.get(assessment.unit_id, fallback)
            for indicator in assessment.framework.indicators.filter(children__isnull=True):
                points = (indicator.max_points * Decimal(share)).quantize(Decimal("0.01"))
                answer_save(assessment=assessment, indicator=indicator, inputs={"points": format_number(points)},
                            note="Số liệu mẫu", actor=actor)
            return actor

        def adjust_first(assessment):
            first = assessment.framework.indicators.filter(children__isnull=True).order_by("position").first()
            answer = assessment.answers.get(indicator=first)
            appraisal.review_save(assessment=assessment, indicator=first, round=1, decision="adjust", reviewer=appraiser,
                                  points=format_number(answer.self_score * Decimal("0.8")),
                                  reason="Tài liệu kiểm chứng chưa đủ cho toàn bộ số liệu đã kê khai")
            return first

        staged = [name for name, state in APPRAISAL_STATES.items() if state not in ("round1", "submitted")]
        for offset, name in enumerate(staged):
            assessment_submit(assessment=assessments[name], actor=fill(assessments[name], 0.9 - offset * 0.05))
        appraisal.round1_start(period=period, actor=lead)
        queried = {}
        for name in staged:
            if APPRAISAL_STATES[name] != "round2":
                queried[name] = adjust_first(assessments[name])
            for person in (appraiser, expert):
                appraisal.confirm_all(assessment=assessments[name], round=1, reviewer=person)
        appraisal.round1_close(period=period, actor=lead)
        def explain(name):
            actor = officers.get(assessments[name].unit_id, fallback)
            appraisal.explanation_save(assessment=assessments[name], indicator=queried[name], actor=actor,
                                       text="Đơn vị đã bổ sung biên bản và báo cáo kèm theo.")
            appraisal.explanation_submit(assessment=assessments[name], actor=actor)

        explain("Sở Thông tin và Truyền thông")
        appraisal.round2_start(period=period, actor=lead)
        explain("Sở Kế hoạch và Đầu tư")  # explained after round 2 began: waits for the lead
        final = assessments["Sở Thông tin và Truyền thông"]
        final.refresh_from_db()
        appraisal.review_save(assessment=final, indicator=queried["Sở Thông tin và Truyền thông"], round=2,
                              decision="confirm", reviewer=appraiser, expected_version=0)
        for person in (appraiser, expert):
            appraisal.confirm_all(assessment=final, round=2, reviewer=person)
            appraisal.sign_off(assessment=final, appraiser=person)
        appraisal.finalise(assessment=final, actor=lead)
        late = assessments["Sở Nội vụ"]
        assessment_submit(assessment=late, actor=fill(late, 0.75))
        appraisal.round1_start(period=period, actor=lead)
        appraisal.review_save(assessment=late, indicator=late.framework.indicators.filter(children__isnull=True)
                              .order_by("position").first(), round=1, decision="confirm", reviewer=appraiser)
        submitted = assessments["Sở Y tế"]
        assessment_submit(assessment=submitted, actor=fill(submitted, 0.8))
        partial = assessments["Sở Tài chính"]
        actor = officers.get(partial.unit_id, fallback)
        for indicator in partial.framework.indicators.filter(children__isnull=True).order_by("position")[:3]:
            answer_save(assessment=partial, indicator=indicator, inputs={"points": format_number(indicator.max_points * Decimal("0.6"))},
                        note="Đang nhập", actor=actor)
    return merged


def _catalogue_meta(entry: dict) -> dict[str, str]:
    return {
        "name": entry["name"], "year": str(entry["year"]), "unit_kind": entry["unit_kind"],
        "decision_number": entry.get("decision_number") or "", "issuer": entry.get("issuer") or "",
        "decision_date": entry.get("decision_date") or "", "precision": str(entry.get("precision", 2)),
        "bands_on": entry.get("bands_on", "points"),
        "bands": "|".join(f"{b['label']}:{b['lower_bound']}" for b in entry.get("bands", [])),
        "aggregates": "|".join(a["name"] for a in entry.get("aggregates", [])),
    }

"""Makes the generated province a deadline day, then writes the plan the locustfile reads.

    python bench/load/plan.py plan.json      (environment as set by bench/load/run.py)

Deadline day in `scale-1`: the first half of the units withdrew their submission and are still
entering data, the other half are under round 1 with the appraiser assigned every pillar; last
year's published totals are imported so that leadership reads a full ranking. Done through the
portal's services, once: a second run only writes the plan.
"""

import json
import random
import sys

import django

django.setup()

from django.db import transaction  # noqa: E402
from django_scopes import scope  # noqa: E402

from assessments import appraisal  # noqa: E402
from assessments.models import Answer, Assessment, Assignment, Period  # noqa: E402
from assessments.services import assessment_withdraw  # noqa: E402
from dti_portal.accounts.models import Membership, Role, User  # noqa: E402
from dti_portal.demo import DEMO_PASSWORD  # noqa: E402
from dti_portal.tenancy.models import Province  # noqa: E402
from indicators.models import Indicator  # noqa: E402
from indicators.scoring import Rule, format_number  # noqa: E402
from rankings.models import ImportedResult  # noqa: E402
from rankings.results import results_import  # noqa: E402

SLUG = "scale-1"
ANSWERS_PER_OFFICER = 20


@transaction.atomic
def deadline_day(province: Province, period: Period) -> None:
    S = Assessment.Status
    assessments = list(Assessment.objects.filter(period=period).select_related("unit").order_by("unit__name"))
    if any(a.status != S.SUBMITTED for a in assessments):
        return  # made before
    officers = {m.unit_id: m.user for m in Membership.objects.filter(province=province, role=Role.UNIT_OFFICER).select_related("user")}
    for assessment in assessments[: len(assessments) // 2]:
        assessment_withdraw(assessment=assessment, actor=officers[assessment.unit_id])
    appraiser = User.objects.get(username=f"{SLUG}.thamdinh")
    lead = User.objects.get(username=f"{SLUG}.totruong")
    for pillar in Indicator.objects.filter(framework__in={a.framework_id for a in assessments}, parent__isnull=True):
        Assignment.objects.get_or_create(period=period, appraiser=appraiser, unit=None, group=pillar)
    appraisal.round1_start(period=period, actor=lead)
    year = period.year - 1
    if not ImportedResult.objects.filter(province=province, year=year).exists():
        rng = random.Random(year)
        lines = ["kind,unit,total"] + [f"{a.unit.kind.code},\"{a.unit.name}\",\"{format_number(rng.randint(3000, 9000) / 10)}\""
                                       for a in Assessment.objects.filter(period=period).select_related("unit__kind")]
        report = results_import(actor=None, province=province, year=year, filename="ket-qua-nam-truoc.csv",
                                content="\n".join(lines).encode(), source="Kết quả năm trước (dữ liệu thử tải)")
        if report.problems:
            raise SystemExit(f"import of last year's results refused: {report.problems[:3]}")


def plan(province: Province, period: Period) -> dict:
    S = Assessment.Status
    officers = {m.unit_id: m.user.username for m in Membership.objects.filter(province=province, role=Role.UNIT_OFFICER).select_related("user")}
    answers: dict[int, list] = {}
    for answer in (Answer.objects.filter(assessment__period=period, error="", self_score__isnull=False)
                   .select_related("indicator").order_by("assessment_id", "indicator__position")):
        answers.setdefault(answer.assessment_id, []).append(answer)
    work = {"officers": [], "appraisals": []}
    for assessment in Assessment.objects.filter(period=period).order_by("unit__name"):
        mine = [a for a in answers.get(assessment.pk, []) if a.indicator.rule != Rule.COLLECTED][:ANSWERS_PER_OFFICER]
        if assessment.status == S.DRAFT:
            work["officers"].append({"username": officers[assessment.unit_id], "assessment": assessment.pk,
                                     "answers": [{"id": a.indicator_id, "inputs": a.inputs} for a in mine]})
        elif assessment.status == S.ROUND1:
            work["appraisals"].append({"assessment": assessment.pk, "indicators": [
                {"id": a.indicator_id, "inputs": a.inputs, "points": format_number(a.self_score)} for a in mine]})
    year, kind = ImportedResult.objects.filter(province=province).values_list("year", "unit_kind__code").order_by("-year").first()
    return {"province": SLUG, "password": DEMO_PASSWORD, "period": period.pk,
            "appraiser": f"{SLUG}.thamdinh", "leadership": f"{SLUG}.lanhdao",
            "ranking_url": f"/{SLUG}/lanh-dao/xep-hang/{year}/{kind}/", **work}


def main() -> None:
    province = Province.objects.get(slug=SLUG)
    with scope(province=province):
        period = Period.objects.filter(province=province).latest("year")
        deadline_day(province, period)
        result = plan(province, period)
    with open(sys.argv[1], "w", encoding="utf-8") as handle:
        json.dump(result, handle, ensure_ascii=False)
    print(f"plan: {len(result['officers'])} officers entering data, {len(result['appraisals'])} units under round 1")


if __name__ == "__main__":
    main()

"""The province's 2021 national result as seeds 001 and 004 publish it (fixtures/national/dti_2021_daklak.json):
rank 36/63, the pillars' ranks and printed points, the publication's defects noted on their criteria, and the
reasons as published where the catalogue import could not keep them (a group's: 5.12; 5.10's, which the
catalogue replaced by its correction, now the flag).
The criterion points and reasons are already the demo's FINAL assessment of "UBND tỉnh Đắk Lắk",
imported with the 922/QĐ-BTTTT catalogue (dti_portal.demo.load_catalogues)."""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django_scopes import scope

from assessments.models import Assessment
from dti_portal.tenancy.models import Province
from indicators.scoring import parse_number

from .models import NationalResult
from .results import PROVINCE_KIND, period_name, pillars_save, result_save

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "national" / "dti_2021_daklak.json"


def seed() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@transaction.atomic
def load_2021(province: Province, actor=None) -> NationalResult | None:
    """Create the 2021 NationalResult from the existing FINAL assessment (once; None without one)."""
    data = seed()
    with scope(province=province):
        existing = NationalResult.objects.filter(province=province, year=data["year"]).first()
        if existing is not None:
            return existing
        assessment = (Assessment.objects.filter(period__province=province, period__year=data["year"],
                                                period__name=period_name(data["year"]), unit__kind__code=PROVINCE_KIND)
                      .select_related("period", "unit__kind", "framework").first())
        if assessment is None:
            return None
        result = result_save(province=province, year=data["year"], assessment=assessment, rank=data["rank"],
                             provinces=data["provinces"], published_total=data["published_total"], source=data["source"],
                             notes=data["notes"], reasons=data["reasons"], actor=actor)
        pillars = {i.code: i for i in assessment.framework.indicators.filter(parent__isnull=True)}
        pillars_save(result=result, actor=actor, pillars={
            pillars[code]: (value["rank"], parse_number(value["points"])) for code, value in data["pillars"].items()})
        return result

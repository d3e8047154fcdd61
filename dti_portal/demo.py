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

from dti_portal.accounts.models import Membership, User
from dti_portal.tenancy.models import Province, Unit, UnitAlias, UnitKind, UnitLineage
from dti_portal.tenancy.names import name_key

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
CATALOGUE_DIR = Path(settings.BASE_DIR) / "fixtures" / "catalogues"
DEMO_PASSWORD = "DTI-demo-2026"


def _rows(name: str) -> list[dict[str, str]]:
    with open(DEMO_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def demo_accounts() -> list[dict[str, str]]:
    """Rows of `accounts.csv`, each with `province_name` added."""
    names = {row["slug"]: row["name"] for row in _rows("provinces.csv")}
    return [row | {"province_name": names.get(row["province"], "")} for row in _rows("accounts.csv")]


@transaction.atomic
def load_demo() -> dict[str, int]:
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
            user.is_superuser = user.is_staff = row["role"] == "platform_admin"
            user.set_password(DEMO_PASSWORD)
            user.save()
            if row["role"] != "platform_admin":
                unit = units[row["province"], row["unit"]] if row["unit"] else None
                Membership.objects.update_or_create(
                    user=user, province=provinces[row["province"]], role=row["role"], defaults={"unit": unit}
                )
    frameworks = load_catalogues()
    load_demo_period()
    return {
        "provinces": len(provinces), "units": len(units), "accounts": len({r["username"] for r in demo_accounts()}),
        "frameworks": frameworks,
    }


def catalogue_manifest() -> list[dict]:
    return json.loads((CATALOGUE_DIR / "manifest.json").read_text(encoding="utf-8"))


def load_catalogues() -> int:
    """Import every catalogue of `fixtures/catalogues/manifest.json` not yet in its province."""
    from indicators.models import Framework
    from indicators.services import framework_import

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
                province=province, filename=entry["file"], content=(CATALOGUE_DIR / entry["file"]).read_bytes(),
                meta=_catalogue_meta(entry), result_unit=unit, result_period_name=entry.get("result_period_name", ""),
            )
            if not report.saved:
                raise ValueError(f"{entry['file']}: " + "; ".join(str(p) for p in report.problems))
            if entry.get("active", True):
                report.framework.status = Framework.Status.ACTIVE
                report.framework.save(update_fields=["status"])
            loaded += 1
    return loaded


DEMO_PERIOD = "Đánh giá DTI các sở năm 2025 (dữ liệu mẫu)"


def load_demo_period() -> None:
    """A period under way in Đắk Lắk: the sở answer 2425/QĐ-UBND, self-assessment open today."""
    from datetime import timedelta

    from django.utils import timezone

    from assessments.models import Period
    from assessments.services import answer_save, period_open, period_save
    from indicators.models import Framework

    province = Province.objects.get(slug="daklak")
    with scope(province=province):
        if Period.objects.filter(name=DEMO_PERIOD).exists():
            return
        framework = Framework.objects.get(unit_kind__code="so", decision_number="2425/QĐ-UBND")
        admin = User.objects.get(username="daklak.quantri")
        today = timezone.localdate()
        period = Period(
            province=province, year=2025, name=DEMO_PERIOD,
            self_assessment_start=today - timedelta(days=10), self_assessment_end=today + timedelta(days=20),
            round1_end=today + timedelta(days=35), explanation_end=today + timedelta(days=45),
            round2_end=today + timedelta(days=55), publication_date=today + timedelta(days=65),
        )
        period_save(period=period, frameworks={framework.unit_kind: framework})
        period_open(period=period, actor=admin)
        # The demo officer's Sở Y tế has already started: two groups answered.
        assessment = period.assessments.get(unit__name="Sở Y tế")
        officer = User.objects.get(username="daklak.canbo")
        for indicator in framework.indicators.filter(children__isnull=True).order_by("position")[:2]:
            answer_save(assessment=assessment, indicator=indicator, inputs={"points": str(indicator.max_points / 2)},
                        note="Số liệu mẫu", actor=officer)


def _catalogue_meta(entry: dict) -> dict[str, str]:
    return {
        "name": entry["name"], "year": str(entry["year"]), "unit_kind": entry["unit_kind"],
        "decision_number": entry.get("decision_number") or "", "issuer": entry.get("issuer") or "",
        "decision_date": entry.get("decision_date") or "", "precision": str(entry.get("precision", 2)),
        "bands_on": entry.get("bands_on", "points"),
        "bands": "|".join(f"{b['label']}:{b['lower_bound']}" for b in entry.get("bands", [])),
        "aggregates": "|".join(a["name"] for a in entry.get("aggregates", [])),
    }

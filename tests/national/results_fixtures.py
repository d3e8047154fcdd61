"""Fixtures of the national-results tests: province A with its own unit (kind "tinh") and the real
922/QĐ-BTTTT catalogue imported with the 2021 points as that unit's FINAL result (as the demo does),
then the 2021 NationalResult of seeds 001/004 (national.seed_2021.load_2021)."""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django_scopes import scope, scopes_disabled

from dti_portal.tenancy import services as tenancy_services
from indicators.services import framework_activate, framework_import
from national.results import period_name
from national.seed_2021 import load_2021

CATALOGUES = Path(settings.BASE_DIR) / "fixtures" / "catalogues"
REFERENCE = Path(settings.BASE_DIR).parent / "shared" / "reference" / "province_dti_2021_daklak.csv"
META_2021 = {"name": "Bộ chỉ số đánh giá chuyển đổi số cấp tỉnh (922/QĐ-BTTTT)", "year": "2021", "unit_kind": "tinh",
             "decision_number": "922/QĐ-BTTTT", "issuer": "Bộ Thông tin và Truyền thông", "precision": "2"}


def reference_bytes() -> bytes:
    path = REFERENCE if REFERENCE.exists() else CATALOGUES / "source" / "province_dti_2021_daklak.csv"
    return path.read_bytes()


def reference_rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO(reference_bytes().decode("utf-8-sig"))))


def province_unit(province, name="UBND tỉnh A"):
    with scopes_disabled():
        kind = tenancy_services.unit_kind_create(actor=None, province=province, code="tinh", name="Tỉnh", order=0)
        return tenancy_services.unit_create(actor=None, province=province, kind=kind, name=name)


def import_922(province, unit):
    """The 922 catalogue with the 2021 points as `unit`'s FINAL result, as dti_portal.demo.load_catalogues does."""
    with scope(province=province):
        report = framework_import(actor=None, province=province, filename="922_QD-BTTTT_daklak_2021.csv",
                                  content=(CATALOGUES / "922_QD-BTTTT_daklak_2021.csv").read_bytes(), meta=META_2021,
                                  result_unit=unit, result_period_name=period_name(2021))
        assert report.saved, report.problems
        framework_activate(framework=report.framework, actor=None)
        return report.framework


@pytest.fixture
def national(world):
    """Province A's unit "UBND tỉnh A", the 922 catalogue and the 2021 result of seeds 001/004."""
    world.tinh_a = province_unit(world.province_a)
    world.framework_2021 = import_922(world.province_a, world.tinh_a)
    world.result_2021 = load_2021(world.province_a)
    assert world.result_2021 is not None
    return world

from pathlib import Path

import pytest
from django.conf import settings
from django_scopes import scopes_disabled

from dti_portal.tenancy import services as tenancy_services

REFERENCE = Path(settings.BASE_DIR).parent / "shared" / "reference"
CATALOGUES = Path(settings.BASE_DIR) / "fixtures" / "catalogues"


@pytest.fixture
def reference_2021() -> bytes:
    """The provincial DTI 2021 table exactly as published (seed 004, via shared/reference)."""
    path = REFERENCE / "province_dti_2021_daklak.csv"
    if not path.exists():  # a clone without shared/ beside it: the fixture keeps a verbatim copy
        path = CATALOGUES / "source" / "province_dti_2021_daklak.csv"
    return path.read_bytes()


@pytest.fixture
def province_unit(world):
    """A unit of kind "tinh" in province A: the province tracking its own national DTI."""
    with scopes_disabled():
        kind = tenancy_services.unit_kind_create(actor=None, province=world.province_a, code="tinh", name="Tỉnh", order=0)
        return tenancy_services.unit_create(actor=None, province=world.province_a, kind=kind, name="UBND tỉnh A")


META_2021 = {"name": "Chỉ số DTI cấp tỉnh (922/QĐ-BTTTT)", "year": "2021", "unit_kind": "tinh",
             "decision_number": "922/QĐ-BTTTT", "issuer": "Bộ Thông tin và Truyền thông"}

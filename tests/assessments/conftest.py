from datetime import timedelta

import pytest

from assessments import appraisal
from assessments.models import Assignment
from assessments.services import answer_save, assessment_submit
from dti_portal.accounts.models import Membership, Role
from tests.conftest import make_user
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from assessments.models import Assessment, Period
from assessments.services import period_open, period_save
from indicators.models import Framework
from indicators.services import FrameworkMeta, framework_create, indicator_save

FIELDS = {"guidance": "", "evidence_required": "", "data_source": "", "verifying_agency": ""}


def node(framework, code, name, max_points, rule="manual", params=None, parent=None, **extra):
    return indicator_save(actor=None, framework=framework, indicator=None, parent=parent, data=FIELDS | extra | {
        "code": code, "name": name, "max_points": max_points, "rule": rule, "params": params or {}})


def build_framework(province, kind_code="so", extra_leaves=0):
    """1 (30) = 1.1 yes/no 10 (evidence required) + 1.2 ratio 10 + 1.3 count 2/item 10; 2 manual 10."""
    with scopes_disabled():
        kind = province.unit_kinds.get(code=kind_code)
    with scope(province=province):
        fw = framework_create(actor=None, province=province, meta=FrameworkMeta(name="Bộ chỉ số sở 2025", year=2025, unit_kind=kind))
        root = node(fw, "1", "Nhận thức số", 30 + extra_leaves, "sum")
        node(fw, "1.1", "Có chuyên mục chuyển đổi số trên cổng", 10, "yes_no", parent=root,
             evidence_required="Ảnh chụp chuyên mục")
        node(fw, "1.2", "Tỷ lệ hồ sơ xử lý trực tuyến", 10, "ratio", parent=root)
        node(fw, "1.3", "Số văn bản chỉ đạo", 10, "count", {"per_item": 2}, parent=root)
        for n in range(extra_leaves):
            node(fw, f"1.{4 + n}", f"Chỉ tiêu thêm {n}", 1, "manual", parent=root)
        node(fw, "2", "Điểm do đơn vị tự chấm", 10, "manual")
        fw.status = Framework.Status.ACTIVE
        fw.save()
    return fw


def open_period(world, province, framework, *, start=-5, end=5):
    today = timezone.localdate()
    with scope(province=province):
        period = Period(province=province, year=2025, name="Kỳ đánh giá 2025",
                        self_assessment_start=today + timedelta(days=start), self_assessment_end=today + timedelta(days=end))
        period_save(period=period, frameworks={framework.unit_kind: framework}, actor=None)
        period_open(period=period, actor=world.admin_a)
    return period


@pytest.fixture
def period(world):
    return open_period(world, world.province_a, build_framework(world.province_a))


@pytest.fixture
def assessment(world, period):
    with scopes_disabled():
        return Assessment.objects.select_related("period", "framework").get(period=period, unit=world.unit_a1)


@pytest.fixture
def indicators(assessment):
    with scopes_disabled():
        return {i.code: i for i in assessment.framework.indicators.all()}


@pytest.fixture
def team(world, assessment, indicators):
    """The unit's data complete and submitted; a.thamdinh appraises the unit, a.thamdinh2 group 2 of every unit."""
    with scopes_disabled():
        world.officer_a1.email = "canbo@so-y-te.vn"
        world.officer_a1.save()
        second = make_user("a.thamdinh2")
        second.email = "td2@stttt.vn"
        second.save()
        Membership.objects.create(user=second, province=world.province_a, role=Role.APPRAISER)
    world.appraiser2 = second
    with scope(province=world.province_a):
        period = assessment.period
        today = timezone.localdate()
        period.round1_end, period.explanation_end, period.round2_end = (today + timedelta(days=d) for d in (10, 20, 30))
        period.lead = world.lead_a
        period.save()
        Assignment.objects.create(period=period, appraiser=world.appraiser_a, unit=world.unit_a1)
        Assignment.objects.create(period=period, appraiser=second, group=indicators["2"])
        for code, inputs in [("1.1", {"value": "không"}), ("1.2", {"a": "4", "b": "10"}), ("1.3", {"count": "2"}), ("2", {"points": "8"})]:
            answer_save(assessment=assessment, indicator=indicators[code], inputs=inputs, note="", actor=world.officer_a1)
        assessment_submit(assessment=assessment, actor=world.officer_a1)
        appraisal.round1_start(period=period, actor=world.lead_a)
    assessment.refresh_from_db()
    return world



"""The indicator catalogue (Bộ chỉ số): frameworks, their indicator trees, bands and aggregates.

A framework belongs to one province (scoped by django-scopes through `province`). Its
indicators, bands and aggregates are scoped through the framework.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from dti_portal.tenancy.models import Province, UnitKind

from .scoring import RULE_LABELS, Rule, describe_params

POINTS = {"max_digits": 12, "decimal_places": 4}


class Framework(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Bản nháp"
        ACTIVE = "active", "Đang áp dụng"
        RETIRED = "retired", "Ngừng áp dụng"

    class BandsOn(models.TextChoices):
        POINTS = "points", "Theo tổng điểm"
        INDEX = "index", "Theo chỉ số (điểm / điểm tối đa)"

    class NonReporting(models.TextChoices):
        # A unit that never submitted ("không báo cáo") is listed as "-" and left out of averages either way.
        RANKED_LAST = "last", "Xếp sau tất cả đơn vị có báo cáo"
        NOT_RANKED = "unranked", "Không xếp hạng"

    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="frameworks")
    name = models.CharField("tên bộ chỉ số", max_length=255)
    decision_number = models.CharField("số quyết định", max_length=60, blank=True)
    decision_date = models.DateField("ngày ban hành", null=True, blank=True)
    issuer = models.CharField("cơ quan ban hành", max_length=200, blank=True)
    year = models.PositiveSmallIntegerField("năm đánh giá", validators=[MinValueValidator(2000)])
    unit_kind = models.ForeignKey(
        UnitKind, on_delete=models.PROTECT, related_name="frameworks", verbose_name="áp dụng cho loại đơn vị"
    )
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.DRAFT)
    precision = models.PositiveSmallIntegerField("số chữ số thập phân hiển thị", default=2)
    bands_on = models.CharField("xếp loại", max_length=10, choices=BandsOn.choices, default=BandsOn.POINTS)
    non_reporting = models.CharField("đơn vị không báo cáo", max_length=10, choices=NonReporting.choices,
                                     default=NonReporting.RANKED_LAST)
    cloned_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="clones", verbose_name="sao chép từ"
    )
    # {old code: new code} from `cloned_from`, so that year-over-year comparisons follow renumbering.
    code_map = models.JSONField("đối chiếu mã với bộ chỉ số gốc", default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(province="province")

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = "bộ chỉ số"
        verbose_name_plural = "bộ chỉ số"

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    @property
    def ranks_non_reporting(self) -> bool:
        return self.non_reporting == self.NonReporting.RANKED_LAST


class Indicator(models.Model):
    """A node of the tree: pillar, group, criterion or sub-criterion (any depth)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    code = models.CharField("mã", max_length=30)  # text: "6.20" is not "6.2"
    name = models.TextField("tên chỉ tiêu")
    max_points = models.DecimalField("điểm tối đa", **POINTS, validators=[MinValueValidator(Decimal(0))])
    rule = models.CharField("cách tính điểm", max_length=20, choices=[(r.value, RULE_LABELS[r]) for r in Rule])
    params = models.JSONField("tham số", default=dict, blank=True)
    guidance = models.TextField("cách xác định và tính điểm", blank=True)
    evidence_required = models.TextField("tài liệu kiểm chứng", blank=True)
    data_source = models.CharField("nguồn số liệu", max_length=255, blank=True)
    verifying_agency = models.CharField("cơ quan thẩm định", max_length=255, blank=True)
    position = models.PositiveIntegerField("thứ tự", default=0)

    objects = ScopedManager(province="framework__province")

    class Meta:
        ordering = ["position"]
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="indicator_code_unique"),
            models.CheckConstraint(condition=Q(max_points__gte=0), name="indicator_max_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_scored(self) -> bool:
        return self.rule != Rule.COLLECTED

    @property
    def params_text(self) -> str:
        return describe_params(self.rule, self.params)


class Band(models.Model):
    """A classification (xếp loại) from `lower_bound` up, on points or on the index."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="bands")
    label = models.CharField("xếp loại", max_length=60)
    lower_bound = models.DecimalField("từ", **POINTS)

    objects = ScopedManager(province="framework__province")

    class Meta:
        ordering = ["-lower_bound"]
        constraints = [models.UniqueConstraint(fields=["framework", "label"], name="band_label_unique")]

    def __str__(self) -> str:
        return self.label


class Aggregate(models.Model):
    """A named set of top-level groups ranked on its own (e.g. the pillar "Chính quyền số").

    A group may belong to several aggregates (Đắk Nông's foundation groups belong to all three).
    """

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="aggregates")
    name = models.CharField("tên", max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    indicators = models.ManyToManyField(Indicator, related_name="aggregates", verbose_name="các nhóm")

    objects = ScopedManager(province="framework__province")

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["framework", "name"], name="aggregate_name_unique")]

    def __str__(self) -> str:
        return self.name

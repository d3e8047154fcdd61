"""Tenants (provinces) and the units they assess.

Every model here except Province belongs to one province and is reached through a
django-scopes `ScopedManager`: a query made outside `scope(province=...)` raises
`ScopeError` instead of returning another province's rows.
"""

from datetime import date

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.functional import cached_property
from django_scopes import ScopedManager

from .names import name_key

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "Mã tỉnh chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang (ví dụ: daklak).",
)

# Paths under / that are not provinces; a province slug may not take them.
RESERVED_SLUGS = {
    "static", "media", "media-not-served", "dang-nhap", "dang-xuat", "doi-mat-khau",
    "trang-chu", "he-thong", "admin", "api", "cong-khai",
}


class Province(models.Model):
    """A tenant: one province (tỉnh) running its DTI assessment in the portal."""

    slug = models.SlugField("mã tỉnh", max_length=40, unique=True, validators=[slug_validator])
    name = models.CharField("tên tỉnh", max_length=120)
    coordinating_agency = models.CharField(
        "cơ quan chủ trì",
        max_length=200,
        help_text="Cơ quan thường trực đánh giá, ví dụ: Sở Khoa học và Công nghệ.",
    )
    is_active = models.BooleanField("đang hoạt động", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A province merged into another (1 July 2025: Đắk Nông into Lâm Đồng) keeps its rows under its
    # own id, so what it published stays "Đắk Nông, 2023"; the receiving tenant holds them through
    # `lineage_ids` (its scope covers them) and the old slug redirects there.
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="merged_provinces", verbose_name="hợp nhất vào")
    merged_on = models.DateField("ngày hợp nhất", null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "tỉnh"
        verbose_name_plural = "tỉnh"
        constraints = [
            models.CheckConstraint(condition=~Q(merged_into=F("pk")), name="province_not_merged_into_self"),
            models.CheckConstraint(condition=Q(merged_into__isnull=True) | Q(merged_on__isnull=False),
                                   name="province_merged_on_set"),
        ]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def lineage_ids(self) -> list[int]:
        """This province's id and those of the provinces merged into it (and into them…): the tenant's
        holdings. Own id first. One query (merged provinces are few: at most the 63 of 2024), walked in
        Python; a walk never revisits a province."""
        merged: dict[int, list[int]] = {}
        for pk, into in Province.objects.filter(merged_into__isnull=False).values_list("pk", "merged_into"):
            merged.setdefault(into, []).append(pk)
        ids, todo = [self.pk], [self.pk]
        while todo:
            for pk in merged.get(todo.pop(), []):
                if pk not in ids:
                    ids.append(pk)
                    todo.append(pk)
        return ids

    @cached_property
    def predecessors(self) -> list["Province"]:
        """The provinces merged into this one (directly or through a chain), oldest merger first."""
        if len(self.lineage_ids) == 1:
            return []
        return list(Province.objects.filter(pk__in=self.lineage_ids[1:]).order_by("merged_on", "name"))


class UnitKind(models.Model):
    """A kind of unit as the province names it: sở, huyện, xã, or its own."""

    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="unit_kinds")
    code = models.SlugField("mã loại", max_length=40)
    name = models.CharField("tên loại đơn vị", max_length=120)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    objects = ScopedManager(province="province")

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "loại đơn vị"
        verbose_name_plural = "loại đơn vị"
        constraints = [
            models.UniqueConstraint(fields=["province", "code"], name="unitkind_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """An agency assessed by the province: a sở, a district, a commune...

    Units are never deleted when they are merged or abolished: `valid_to` closes them and
    `UnitLineage` links them to their successors, so old results stay readable.
    """

    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="units")
    kind = models.ForeignKey(UnitKind, on_delete=models.PROTECT, related_name="units", verbose_name="loại đơn vị")
    name = models.CharField("tên đơn vị", max_length=255)
    key = models.CharField(max_length=255, editable=False, db_index=True)
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    note = models.TextField("ghi chú", blank=True)

    objects = ScopedManager(province="province")

    class Meta:
        ordering = ["kind__order", "name"]
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        constraints = [
            models.UniqueConstraint(fields=["province", "kind", "name"], name="unit_name_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="unit_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.key = name_key(self.name)
        super().save(*args, **kwargs)

    def is_active_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class UnitAlias(models.Model):
    """Another name under which the unit appears in some document or year."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField("tên gọi khác", max_length=255)
    key = models.CharField(max_length=255, editable=False, db_index=True)
    note = models.CharField("ghi chú", max_length=255, blank=True, help_text="Ví dụ: cách viết trong báo cáo năm 2020.")
    # A former name: the last day it was the unit's name (a ranking of a year shows the name of that year).
    # Empty for a mere other spelling.
    valid_to = models.DateField("dùng đến ngày", null=True, blank=True)

    objects = ScopedManager(province="unit__province")

    class Meta:
        ordering = ["name"]
        verbose_name = "tên gọi khác"
        verbose_name_plural = "tên gọi khác"
        constraints = [
            models.UniqueConstraint(fields=["unit", "key"], name="unitalias_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.key = name_key(self.name)
        super().save(*args, **kwargs)


class UnitLineage(models.Model):
    """`predecessor` was merged into (or split into) `successor` on `effective_date`."""

    predecessor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="predecessor_links")
    effective_date = models.DateField("ngày hiệu lực")
    note = models.CharField("căn cứ", max_length=255, blank=True)

    objects = ScopedManager(province="predecessor__province")

    class Meta:
        ordering = ["effective_date"]
        verbose_name = "sáp nhập"
        verbose_name_plural = "sáp nhập"
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unitlineage_unique"),
            models.CheckConstraint(condition=~Q(predecessor=F("successor")), name="unitlineage_not_self"),
        ]

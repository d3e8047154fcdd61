"""Reads of provinces and units."""

from datetime import date
from itertools import groupby

from django.db.models import Count, Prefetch, Q

from dti_portal.accounts.models import Membership

from .models import Province, Unit, UnitAlias, UnitKind
from .names import name_key


def provinces_listed() -> list[Province]:
    return list(Province.objects.filter(is_active=True).order_by("name"))


def active_units(province: Province, *, on: date | None = None):
    """Units of `province` that exist on `on` (every unit when `on` is None)."""
    units = Unit.objects.filter(province=province).select_related("kind")
    if on is not None:
        units = units.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )
    return units


def units_by_kind(province: Province, *, on: date | None = None) -> list[tuple[UnitKind, list[Unit]]]:
    """[(kind, [units...]), ...] in the kind's display order, aliases and officers counted."""
    units = (
        active_units(province, on=on)
        .annotate(alias_count=Count("aliases", distinct=True), officer_count=Count("officers", distinct=True))
        .order_by("kind__order", "kind__name", "name")
    )
    return [(kind, list(group)) for kind, group in groupby(units, key=lambda u: u.kind)]


def unit_detail(unit_id: int) -> Unit:
    return (
        Unit.objects.select_related("kind")
        .prefetch_related(
            Prefetch("aliases", queryset=UnitAlias.objects.order_by("name")),
            Prefetch("officers", queryset=Membership.objects.select_related("user")),
            "successor_links__successor",
            "predecessor_links__predecessor",
        )
        .get(pk=unit_id)
    )


def find_units_by_name(province: Province, name: str, *, kind: UnitKind | None = None) -> list[Unit]:
    """Units whose current name or any alias matches `name` (see `name_key`).

    Importers call this and refuse a name that matches no unit or several.
    """
    key = name_key(name)
    units = Unit.objects.filter(province=province).select_related("kind")
    if kind is not None:
        units = units.filter(kind=kind)
    return list(units.filter(Q(key=key) | Q(aliases__key=key)).distinct().order_by("name"))

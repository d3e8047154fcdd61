"""Reads of provinces and units."""

from datetime import date
from itertools import groupby

from django.db.models import Count, Prefetch, Q
from django.http import Http404

from dti_portal.accounts.models import Membership

from .models import Province, Unit, UnitAlias, UnitKind
from .names import matches, name_key, vn_sort_key


def provinces_listed() -> list[Province]:
    """Active provinces in Vietnamese alphabetical order."""
    return sorted(Province.objects.filter(is_active=True), key=lambda p: vn_sort_key(p.name))


def provinces_all() -> list[Province]:
    """Every province, merged ones too (with the one each was merged into), in Vietnamese order."""
    return sorted(Province.objects.select_related("merged_into"), key=lambda p: vn_sort_key(p.name))


def province_in_lineage(province: Province, slug: str | None) -> Province:
    """`province`, or the province merged into it named by `slug` (`?tinh=` of a page of a year); 404 otherwise."""
    if not slug or slug == province.slug:
        return province
    for predecessor in province.predecessors:
        if predecessor.slug == slug:
            return predecessor
    raise Http404("Tỉnh này không thuộc dòng hợp nhất của tỉnh đang xem.")


def active_units(province: Province, *, on: date | None = None):
    """Units of `province` that exist on `on` (every unit when `on` is None)."""
    units = Unit.objects.filter(province=province).select_related("kind")
    if on is not None:
        units = units.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )
    return units


def units_by_kind(province: Province, *, on: date | None = None, query: str = "") -> list[tuple[UnitKind, list[Unit]]]:
    """[(kind, [units...]), ...] in the kind's display order, units in Vietnamese alphabetical order,
    aliases and officers counted. With `query`, only units whose name or a former name contains it,
    diacritics and case ignored ("dak lak" finds "Đắk Lắk"). Two queries with a query, one without."""
    units = list(
        active_units(province, on=on)
        .annotate(alias_count=Count("aliases", distinct=True), officer_count=Count("officers", distinct=True))
        .order_by("kind__order", "kind__name", "pk")
    )
    if query.strip():
        aliases: dict[int, list[str]] = {}
        for unit_id, name in UnitAlias.objects.filter(unit__province=province).values_list("unit_id", "name"):
            aliases.setdefault(unit_id, []).append(name)
        units = [u for u in units if matches(query, u.name, *aliases.get(u.pk, ()))]
    groups = []
    for kind, group in groupby(units, key=lambda u: u.kind):
        groups.append((kind, sorted(group, key=lambda u: vn_sort_key(u.name))))
    return groups


def unit_detail(unit_id: int) -> Unit:
    """The unit with its kind, aliases (in Vietnamese order, as `unit.alias_list`), officers and lineage."""
    unit = (
        Unit.objects.select_related("kind")
        .prefetch_related(
            Prefetch("aliases", queryset=UnitAlias.objects.order_by("pk")),
            Prefetch("officers", queryset=Membership.objects.select_related("user")),
            "successor_links__successor",
            "predecessor_links__predecessor",
        )
        .get(pk=unit_id)
    )
    unit.alias_list = sorted(unit.aliases.all(), key=lambda a: vn_sort_key(a.name))
    return unit


def find_units_by_name(province: Province, name: str, *, kind: UnitKind | None = None) -> list[Unit]:
    """Units whose current name or any alias matches `name` (see `name_key`).

    Importers call this and refuse a name that matches no unit or several.
    """
    key = name_key(name)
    units = Unit.objects.filter(province=province).select_related("kind")
    if kind is not None:
        units = units.filter(kind=kind)
    return sorted(units.filter(Q(key=key) | Q(aliases__key=key)).distinct(), key=lambda u: vn_sort_key(u.name))

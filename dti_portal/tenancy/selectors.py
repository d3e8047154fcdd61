"""Reads of provinces and units."""

from dataclasses import dataclass
from datetime import date
from itertools import groupby

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404

from dti_portal.accounts.models import Membership

from .models import Province, Unit, UnitAlias, UnitKind, UnitLineage
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


def lineage_provinces(province: Province) -> dict[int, Province]:
    """The tenant's provinces by id: `province` first, then those merged into it (oldest merger first).
    No query for a province without predecessors once its `lineage_ids` is known (the middleware knows it
    for `request.province`); one with predecessors, once per Province instance."""
    return {province.pk: province} | {p.pk: p for p in province.predecessors}


def province_words(province: Province) -> str:
    """"tỉnh Đắk Nông" for a province named "Đắk Nông"; a name that already says tỉnh/thành phố is kept."""
    lowered = province.name.lower()
    return province.name if lowered.startswith(("tỉnh ", "thành phố ")) else f"tỉnh {province.name}"


def former_province_label(province: Province, provinces: dict[int, Province]) -> str:
    """"tỉnh Đắk Nông cũ (hợp nhất vào Lâm Đồng từ 01/07/2025)": a province merged into the tenant, named
    as the lists of the receiving tenant head or label its units, catalogues, periods and log entries.
    `provinces` is `lineage_provinces(tenant)` (it holds the province each was merged into: no query)."""
    into = provinces.get(province.merged_into_id)
    when = f" từ {province.merged_on:%d/%m/%Y}" if province.merged_on else ""
    return f"{province_words(province)} cũ (hợp nhất vào {into.name if into else ''}{when})"


def former_province_short(province: Province) -> str:
    """"Tỉnh Đắk Nông (cũ)": the badge beside a row of a province merged into the tenant."""
    return f"Tỉnh {province.name} (cũ)"


def active_units(province: Province, *, on: date | None = None):
    """Units of `province` that exist on `on` (every unit when `on` is None)."""
    units = Unit.objects.filter(province=province).select_related("kind")
    if on is not None:
        units = units.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )
    return units


@dataclass
class RegistrySection:
    """The units of one province of the tenant, as the admin's registry lists them: the tenant's own
    first (`own`, no heading), then each province merged into it under a heading that says so."""

    province: Province
    own: bool
    heading: str  # "" for the tenant's own units
    groups: list[tuple[UnitKind, list[Unit]]]

    @property
    def count(self) -> int:
        return sum(len(units) for _, units in self.groups)


def registry_context(province: Province, query: str) -> dict:
    """What `includes/unit_registry.html` reads: the sections, the search and how many units matched."""
    sections = unit_registry(province, query=query)
    return {"sections": sections, "unit_query": query, "unit_count": sum(s.count for s in sections)}


def unit_registry(province: Province, *, query: str = "") -> list[RegistrySection]:
    """The units the tenant holds: its own by kind (the kind's display order, units in Vietnamese order,
    aliases and officers counted), then those of each province merged into it, each in its own section.
    With `query`, only units whose name or a former name contains it, diacritics and case ignored
    ("dak lak" finds "Đắk Lắk"). Every unit carries its direct lineage as
    `unit.formed_from` and `unit.merged_into` (lists of (name, date)): the registry's small tree.

    Queries: the units (one, whatever the number of provinces), their aliases with a search, and the
    lineage links only when a listed unit has any."""
    provinces = lineage_provinces(province)
    ids = list(provinces)
    linked = UnitLineage.objects.filter(Q(successor=OuterRef("pk")) | Q(predecessor=OuterRef("pk")))
    units = list(
        (Unit.objects.filter(province_id__in=ids) if len(ids) > 1 else Unit.objects.filter(province=province))
        .select_related("kind")
        .annotate(alias_count=Count("aliases", distinct=True), officer_count=Count("officers", distinct=True),
                  linked=Exists(linked))
        .order_by("kind__order", "kind__name", "pk")
    )
    if query.strip():
        aliases: dict[int, list[str]] = {}
        for unit_id, name in UnitAlias.objects.filter(unit__province_id__in=ids).values_list("unit_id", "name"):
            aliases.setdefault(unit_id, []).append(name)
        units = [u for u in units if matches(query, u.name, *aliases.get(u.pk, ()))]
    for unit in units:
        unit.formed_from, unit.merged_into = [], []
    with_links = [u.pk for u in units if u.linked]
    if with_links:
        by_pk = {u.pk: u for u in units}
        for link in (UnitLineage.objects.filter(Q(successor__in=with_links) | Q(predecessor__in=with_links))
                     .select_related("predecessor", "successor").order_by("effective_date", "pk")):
            if link.successor_id in by_pk:
                by_pk[link.successor_id].formed_from.append((link.predecessor.name, link.effective_date))
            if link.predecessor_id in by_pk:
                by_pk[link.predecessor_id].merged_into.append((link.successor.name, link.effective_date))
    sections = []
    for pk, of in provinces.items():
        mine = [u for u in units if u.province_id == pk]
        if pk != province.pk and not mine:
            continue
        groups = [(kind, sorted(group, key=lambda u: vn_sort_key(u.name)))
                  for kind, group in groupby(mine, key=lambda u: u.kind)]
        heading = "" if pk == province.pk else "Đơn vị của " + former_province_label(of, provinces)
        sections.append(RegistrySection(of, pk == province.pk, heading, groups))
    return sections


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

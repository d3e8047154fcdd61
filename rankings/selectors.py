"""Reads for rankings: a year's table for a unit kind, from result rows (imported, or copied from the
stored final totals of a period by `publication._materialise`). Queries do not grow with units or years."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, OuterRef, Prefetch, Q, Subquery

from dti_portal.tenancy.models import Province, UnitAlias, UnitKind
from dti_portal.tenancy.selectors import lineage_provinces
from indicators.models import Aggregate, Framework, Indicator

from . import ranking
from .models import ImportedResult
from .results import part_key


@dataclass
class Column:
    key: str
    label: str
    maximum: Decimal | None = None
    average: Decimal | None = None


@dataclass
class AggregateTable:
    name: str
    maximum: Decimal | None
    rows: list
    average: Decimal | None


@dataclass
class Table:
    year: int
    kind: UnitKind
    framework: Framework | None
    rows: list
    columns: list[Column]
    by: str  # "total" or "index"
    max_total: Decimal | None
    total_average: Decimal | None
    index_average: Decimal | None
    aggregates: list[AggregateTable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    previous_year: int | None = None
    framework_changed: bool = False
    ranks_non_reporting: bool = True  # the framework's setting: non-reporting units ranked last, or not ranked


def label(year: int, of: Province, province) -> str:
    """"2023" for the tenant's own year, "Đắk Nông, 2023" for a province merged into it: the name a
    ranking or publication of before the merger was published under."""
    return str(year) if of.pk == province.pk else f"{of.name}, {year}"


@dataclass
class Ranking:
    """One ranking the tenant holds: a year and unit kind of its own or of a province merged into it."""

    year: int
    kind: UnitKind
    province: Province  # whose ranking it is
    own: bool  # the tenant's own (False: a predecessor's, read-only history)
    label: str  # "2023" or "Đắk Nông, 2023"

    @property
    def tinh(self) -> str:
        """The `?tinh=` of its pages: "" for the tenant's own, the predecessor's slug otherwise."""
        return "" if self.own else self.province.slug


def available(province) -> list[Ranking]:
    """The rankings the tenant holds, newest year first, its own before its predecessors' of a year.
    Two queries (three with predecessors: their names)."""
    provinces = lineage_provinces(province)
    triples = (ImportedResult.objects.filter(province_id__in=list(provinces))
               .values_list("province", "year", "unit_kind").distinct())
    kinds = {k.pk: k for k in UnitKind.objects.filter(province_id__in=list(provinces))}
    found = [Ranking(year, kinds[kind], provinces[of], of == province.pk, label(year, provinces[of], province))
             for of, year, kind in triples]
    order = list(provinces)
    return sorted(found, key=lambda r: (-r.year, order.index(r.province.pk), r.kind.order, r.kind.pk))


# Every read below loads the result rows it needs in one query and their frameworks (top-level
# groups, bands, aggregates) in one more query each, whatever the number of units, years or kinds.
def _name_of_the_year() -> Subquery:
    """The name the unit had in the result's year, when it has been renamed since (else None): the
    earliest former name (`UnitAlias.valid_to`, its last day) still in use on 31 December of that year,
    or on the unit's last day if it closed that year. A subquery of the result rows' one query."""
    in_use = (Q(valid_to__year__gt=OuterRef("year"))
              | Q(valid_to__year=OuterRef("year"), valid_to__month=12, valid_to__day=31)
              | Q(valid_to__year=OuterRef("year"), valid_to__gte=OuterRef("unit__valid_to")))
    return Subquery(UnitAlias.objects.filter(in_use, unit=OuterRef("unit_id"), valid_to__isnull=False)
                    .order_by("valid_to", "pk").values("name")[:1])


def _results(province_ids: list[int], *conditions, **filters) -> dict[tuple[int, int], list[ImportedResult]]:
    """(year, unit kind pk) → that year's result rows, in the order they were stored. A unit kind
    belongs to one province, so the results of several provinces never share a key."""
    found: dict[tuple[int, int], list[ImportedResult]] = {}
    rows = (ImportedResult.objects.filter(*conditions, province_id__in=province_ids, **filters)
            .select_related("unit", "unit_kind").annotate(year_name=_name_of_the_year()).order_by("year", "pk"))
    for result in rows:
        found.setdefault((result.year, result.unit_kind_id), []).append(result)
    return found


def _frameworks(results) -> dict[int, Framework]:
    """The frameworks these results name, with what a table needs already loaded."""
    ids = {r.framework_id for rows in results for r in rows if r.framework_id}
    if not ids:
        return {}
    tops = Prefetch("indicators", queryset=Indicator.objects.filter(parent__isnull=True).order_by("position"), to_attr="tops")
    aggregates = Prefetch("aggregates", queryset=Aggregate.objects.prefetch_related("indicators"))
    return {f.pk: f for f in Framework.objects.filter(pk__in=ids).prefetch_related(tops, "bands", aggregates)}


def _limits(framework: Framework | None) -> dict[str, tuple[str, Decimal]]:
    """Part key → (display name, max) of the top-level groups and aggregates (like framework_parts, no query)."""
    if framework is None:
        return {}
    found = {part_key(i.name): (i.name, i.max_points) for i in framework.tops}
    for aggregate in framework.aggregates.all():
        found[part_key(aggregate.name)] = (aggregate.name, sum((i.max_points for i in aggregate.indicators.all()), Decimal(0)))
    return found


def ranking_table(province, year: int, kind: UnitKind, *, with_change: bool = True) -> Table | None:
    """A year's table for a unit kind, with the change against the previous year: constant queries."""
    previous = None
    if with_change:
        previous = (ImportedResult.objects.filter(province=province, unit_kind=kind, year__lt=year)
                    .aggregate(previous=Max("year"))["previous"])
    years = [year] if previous is None else [year, previous]
    results = _results([province.pk], year__in=years, unit_kind=kind)
    if not results.get((year, kind.pk)):
        return None
    frameworks = _frameworks(results.values())
    table = _table(year, kind, results[(year, kind.pk)], frameworks)
    if previous is not None:
        _add_change(table, _table(previous, kind, results[(previous, kind.pk)], frameworks))
    return table


def _table(year: int, kind: UnitKind, results: list[ImportedResult], frameworks: dict[int, Framework]) -> Table:
    framework = next((frameworks[r.framework_id] for r in results if r.framework_id), None)
    limits = _limits(framework)
    tops = framework.tops if framework else []
    max_total = sum((i.max_points for i in tops), Decimal(0)) if framework else None
    keys = []
    for result in results:
        keys += [k for k in result.parts if k not in keys]
    order = {part_key(i.name): n for n, i in enumerate(tops)}
    keys.sort(key=lambda k: order.get(k, len(order)))
    rows = []
    for result in results:
        parts = {k: (Decimal(v) if v is not None else None) for k, v in result.parts.items()}
        total = result.total if result.reported else None
        if total is None and result.reported and parts:
            total = sum((v for v in parts.values() if v is not None), Decimal(0))
        index = ranking.index_of(total, max_total) if max_total else result.index
        rows.append(ranking.Row(unit=result.year_name or result.unit.name, total=total, parts=parts, index=index if result.reported else None,
                                unit_id=result.unit_id))
    by = "total" if any(r.total is not None for r in rows) else "index"
    key = (lambda r: r.total) if by == "total" else (lambda r: r.index)
    ranks_non_reporting = framework is None or framework.ranks_non_reporting
    rows = ranking.rank(rows, key=key, rank_non_reporting=ranks_non_reporting)
    bands = [(b.label, b.lower_bound) for b in framework.bands.all()] if framework else []
    for row in rows:
        value = row.total if framework is None or framework.bands_on == Framework.BandsOn.POINTS else row.index
        row.band = ranking.band_for(value, bands)
    columns = [Column(k, limits.get(k, (k.replace("_", " "), None))[0], limits.get(k, (None, None))[1],
                      ranking.average(r.parts.get(k) for r in rows)) for k in keys]
    table = Table(
        year=year, kind=kind, framework=framework, rows=rows, columns=columns, by=by, max_total=max_total,
        total_average=ranking.average(r.total for r in rows), index_average=ranking.average(r.index for r in rows),
        ranks_non_reporting=ranks_non_reporting,
    )
    table.aggregates = _aggregate_tables(framework, rows, limits)
    return table


def _aggregate_tables(framework, rows, limits) -> list[AggregateTable]:
    if framework is None:
        return []
    tables = []
    for aggregate in framework.aggregates.all():
        own = part_key(aggregate.name)
        members = [part_key(i.name) for i in aggregate.indicators.all()]
        aggregate_rows = []
        for row in rows:
            value = row.parts.get(own) if own in row.parts else ranking.sum_parts(row.parts, members)
            aggregate_rows.append(ranking.Row(unit=row.unit, total=value if row.reported else None))
        aggregate_rows = ranking.rank(aggregate_rows, rank_non_reporting=framework.ranks_non_reporting)
        tables.append(AggregateTable(aggregate.name, limits.get(own, (None, None))[1], aggregate_rows,
                                     ranking.average(r.total for r in aggregate_rows)))
    return tables


def _add_change(table: Table, before: Table) -> None:
    table.previous_year = before.year
    same = table.framework is not None and before.framework is not None and (
        table.framework.pk == before.framework.pk or table.framework.decision_number == before.framework.decision_number)
    table.framework_changed = not same
    # matched by unit, not by name: a unit renamed between the two years keeps its change
    if table.by == "total" and before.by == "total" and same:
        old = {r.unit_id: r.total for r in before.rows if r.total is not None}
        for row in table.rows:
            row.change = None if row.total is None or old.get(row.unit_id) is None else row.total - old[row.unit_id]
    else:  # different frameworks: compare the index, and say so
        old = {r.unit_id: r.index for r in before.rows}
        for row in table.rows:
            row.change = None if row.index is None or old.get(row.unit_id) is None else row.index - old[row.unit_id]


def unit_history(province, unit) -> list[dict]:
    """A unit's results year by year: rank, total or index, band (for its year-over-year view).

    The rank is the one the year's ranking page shows for the unit (None when it is not ranked)."""
    return units_history(province, [unit.pk]).get(unit.pk, [])


def units_history(province, unit_ids) -> dict[int, list[dict]]:
    """`unit_history` of several units at once (a unit and its predecessors): unit pk → its years.
    The results of the whole tenant are read (a Lâm Đồng unit formed from a unit of the former Đắk
    Nông goes on with that unit's 2023 result); each entry names the province whose ranking it is
    ("province", "tinh": "" for the tenant's own). The same queries for 1 or 50 units."""
    provinces = lineage_provinces(province)
    ids = list(provinces)
    pairs = set(ImportedResult.objects.filter(province_id__in=ids, unit__in=unit_ids).values_list("year", "unit_kind"))
    if not pairs:
        return {}
    condition = Q()
    for year, kind in pairs:
        condition |= Q(year=year, unit_kind=kind)
    results = _results(ids, condition)
    frameworks = _frameworks(results.values())
    wanted = set(unit_ids)
    history: dict[int, list[dict]] = {}
    for year, kind in sorted(pairs):
        rows = results[(year, kind)]
        table = _table(year, rows[0].unit_kind, rows, frameworks)
        of = provinces[rows[0].province_id]
        for row in table.rows:
            if row.unit_id in wanted:
                history.setdefault(row.unit_id, []).append(
                    {"year": year, "name": row.unit, "rank": row.rank, "reported": row.reported, "of": len(table.rows),
                     "total": row.total, "index": row.index, "band": row.band, "by": table.by,
                     "province": of.name, "tinh": "" if of.pk == province.pk else of.slug,
                     "label": label(year, of, province)})
    return history


def province_history(province) -> list[dict]:
    """Per year and unit kind of the tenant (its own and its predecessors', labelled "Đắk Nông, 2023"):
    how many reported, and the average total and index."""
    provinces = lineage_provinces(province)
    results = _results(list(provinces))
    frameworks = _frameworks(results.values())
    history = []
    order = list(provinces)
    for (year, _), rows in sorted(results.items(), key=lambda p: (p[1][0].unit_kind.order, p[0][0],
                                                                  order.index(p[1][0].province_id))):
        table = _table(year, rows[0].unit_kind, rows, frameworks)
        of = provinces[rows[0].province_id]
        history.append({"year": year, "kind": table.kind, "reported": sum(1 for r in table.rows if r.reported),
                        "units": len(table.rows), "total_average": table.total_average,
                        "index_average": table.index_average, "by": table.by,
                        "province": of, "own": of.pk == province.pk, "label": label(year, of, province)})
    return history


# --- publications -------------------------------------------------------------------------------
def _publications(province_ids, *, published_only: bool = False):
    from django.db.models import Count, Q

    from .models import Publication

    publications = (Publication.objects.filter(province_id__in=province_ids).defer("snapshot").select_related("requested_by")
                    .annotate(cards=Count("scorecards"), cards_done=Count("scorecards", filter=~Q(scorecards__pdf_sha256="")))
                    .order_by("-year", "pk"))
    return publications.filter(status=Publication.Status.PUBLISHED) if published_only else publications


def publications_of(province, *, published_only: bool = False) -> list:
    """The tenant's publications (its own and those of provinces merged into it), newest year first,
    its own before a predecessor's of the same year, with their progress counted in the same query
    (the snapshot itself is not loaded: a list needs none of it). Each carries `own`, `label`
    ("2023" or "Đắk Nông, 2023") and `tinh` (the `?tinh=` of its pages, "" for its own)."""
    provinces = lineage_provinces(province)
    order = list(provinces)
    found = list(_publications(order, published_only=published_only))
    for publication in found:
        of = provinces[publication.province_id]
        publication.province = of  # already loaded: no query for its name or slug
        publication.own = of.pk == province.pk
        publication.label = label(publication.year, of, province)
        publication.tinh = "" if publication.own else of.slug
    found.sort(key=lambda p: (-p.year, order.index(p.province_id)))
    return found


def publication_of(province, year: int, *, published_only: bool = False):
    """`province`'s own publication of `year` (None if there is none), with its progress counts.
    `province` is the tenant or a predecessor named by `?tinh=` (see tenancy `province_in_lineage`)."""
    publication = _publications([province.pk], published_only=published_only).filter(year=year).first()
    if publication is not None:
        publication.province = province
    return publication


def publication_progress(publication) -> dict:
    """Parts made of the parts to make (every unit's scorecard, the report, the workbook); `total`
    is None while no worker has planned the work yet. Reads the counts of `publications_of`."""
    done = publication.cards_done + bool(publication.pdf_sha256) + bool(publication.xlsx_sha256)
    return {"done": done, "total": publication.parts_total or None}

"""Reads of units formed from units: a unit's ancestry and descendants as small trees, and its
year-over-year rows that go on with its predecessors' results.

Every read loads the province's lineage links in one query and walks them in Python with a set of
units already seen, so bad data already stored (a cycle) can never make a walk loop.
"""

from dataclasses import dataclass, field
from datetime import date

from django_scopes import get_scope

from .models import Province, Unit, UnitLineage
from .names import vn_sort_key


@dataclass
class Node:
    unit_id: int
    name: str
    effective_date: date | None = None  # the date of the link to the node above (None at the root)
    note: str = ""
    children: list["Node"] = field(default_factory=list)
    repeated: bool = False  # already shown higher up the tree (bad data: a cycle), not walked again


def tenant_of(province: Province | int) -> Province:
    """The province that holds `province` today: itself, or the one it was merged into (through a chain)."""
    if not isinstance(province, Province):
        province = Province.objects.get(pk=province)
    seen = {province.pk}
    while province.merged_into_id and province.merged_into_id not in seen:
        province = province.merged_into
        seen.add(province.pk)
    return province


def _links(province) -> list[UnitLineage]:
    """All lineage links among the units the province's tenant holds (its own and those of provinces
    merged into it: a sở of the former Đắk Nông may be a predecessor of one of Lâm Đồng) with both
    units' names: one query after the tenant's lineage."""
    return list(
        UnitLineage.objects.filter(predecessor__province__in=_tenant_ids(province))
        .select_related("predecessor", "successor")
        .order_by("effective_date", "pk")
    )


def _tenant_ids(province) -> list[int]:
    """The ids of the tenant's provinces: the request's scope holds them already (no query); else looked up."""
    current = get_scope()
    if current.get("_enabled", True) and "province" in current:
        value = current["province"]
        values = value if isinstance(value, (list, tuple)) else [value]
        return [getattr(v, "pk", v) for v in values]
    return tenant_of(province).lineage_ids


def _tree(unit: Unit, links: list[UnitLineage], *, up: bool) -> Node:
    """Predecessors (up=True) or successors of `unit`, their own ones, and so on; each unit walked once."""
    nearby: dict[int, list[UnitLineage]] = {}
    for link in links:
        nearby.setdefault(link.successor_id if up else link.predecessor_id, []).append(link)
    root = Node(unit.pk, unit.name)
    seen = {unit.pk}
    todo = [root]
    while todo:
        node = todo.pop(0)
        for link in nearby.get(node.unit_id, []):
            other = link.predecessor if up else link.successor
            child = Node(other.pk, other.name, link.effective_date, link.note, repeated=other.pk in seen)
            node.children.append(child)
            if not child.repeated:
                seen.add(other.pk)
                todo.append(child)
        node.children.sort(key=lambda c: (c.effective_date, vn_sort_key(c.name)))
    return root


def ancestry(unit: Unit) -> Node:
    """The unit as the root of a tree of its predecessors (and theirs…), each with its merger date."""
    return _tree(unit, _links(unit.province_id), up=True)


def descendants(unit: Unit) -> Node:
    """The unit as the root of a tree of the units it became part of (and what those became…)."""
    return _tree(unit, _links(unit.province_id), up=False)


def lineage_trees(unit: Unit) -> tuple[Node, Node]:
    """Both trees of the unit page from one query."""
    links = _links(unit.province_id)
    return _tree(unit, links, up=True), _tree(unit, links, up=False)


def ancestor_ids(province, unit_ids, links: list[UnitLineage] | None = None) -> set[int]:
    """Every unit from which any of `unit_ids` was formed, through any chain (never loops)."""
    links = _links(province) if links is None else links
    up: dict[int, list[int]] = {}
    for link in links:
        up.setdefault(link.successor_id, []).append(link.predecessor_id)
    found: set[int] = set()
    todo = list(unit_ids)
    while todo:
        for predecessor in up.get(todo.pop(), []):
            if predecessor not in found:
                found.add(predecessor)
                todo.append(predecessor)
    return found


def walk(node: Node):
    """The nodes of a tree below its root, depth first, with their depth (1 for direct predecessors)."""
    stack = [(child, 1) for child in reversed(node.children)]
    while stack:
        child, depth = stack.pop()
        yield child, depth
        stack += [(c, depth + 1) for c in reversed(child.children)]


# --- year over year -------------------------------------------------------------------------------
@dataclass
class YearRow:
    year: int
    unit_id: int
    name: str  # the unit's name that year
    result: dict  # one entry of rankings.selectors.unit_history
    own: bool  # the unit's own result (False: a predecessor's)
    via: str = ""  # for a predecessor of a predecessor: the unit it was merged into


def year_rows(province, unit: Unit, tree: Node | None = None) -> list[dict]:
    """The unit's year-over-year view, oldest year first: for the years before its own first year,
    its predecessors' results, each under the predecessor's name of that year; then its own years. Several
    predecessors of one year are listed one by one, never summed or averaged.

    Returns [{"year", "rows": [YearRow…], "own": bool}]; a constant number of queries."""
    from rankings.selectors import units_history

    tree = tree if tree is not None else ancestry(unit)
    parent_of: dict[int, int] = {}
    names = {unit.pk: unit.name}
    for node, _ in walk(tree):
        names[node.unit_id] = node.name
    stack = [tree]
    while stack:  # each predecessor under the node it first appears beneath (the tree walks each once)
        node = stack.pop()
        for child in node.children:
            if not child.repeated:
                parent_of[child.unit_id] = node.unit_id
                stack.append(child)
    ids = [unit.pk] + list(parent_of)
    histories = units_history(province, ids)

    def first_year(unit_id: int) -> int | None:
        years = [h["year"] for h in histories.get(unit_id, [])]
        return min(years) if years else None

    cutoffs: dict[int, float] = {unit.pk: float("inf")}
    valid_from_year = unit.valid_from.year if unit.valid_from else None

    def cutoff(unit_id: int) -> float:
        """Years of this unit's results that are shown: before its successor's first year."""
        if unit_id in cutoffs:
            return cutoffs[unit_id]
        successor = parent_of[unit_id]
        own_first = first_year(successor)
        if successor == unit.pk and valid_from_year is not None:
            own_first = min(own_first, valid_from_year) if own_first else valid_from_year
        limit = cutoff(successor)
        if own_first is not None:
            limit = min(limit, own_first)
        cutoffs[unit_id] = limit
        return limit

    rows: list[YearRow] = []
    for unit_id in ids:
        limit = cutoff(unit_id)
        via = "" if unit_id == unit.pk or parent_of[unit_id] == unit.pk else names[parent_of[unit_id]]
        for entry in histories.get(unit_id, []):
            if entry["year"] < limit:
                rows.append(YearRow(entry["year"], unit_id, entry["name"], entry, unit_id == unit.pk, via))
    by_year: dict[int, list[YearRow]] = {}
    for row in rows:
        by_year.setdefault(row.year, []).append(row)
    return [{"year": year, "own": any(r.own for r in by_year[year]),
             "rows": sorted(by_year[year], key=lambda r: (not r.own, vn_sort_key(r.name)))}
            for year in sorted(by_year)]

"""Reads of the catalogue."""

from dataclasses import dataclass, field

from django.db.models import Count
from django.shortcuts import get_object_or_404

from .models import Framework, Indicator


def frameworks_of(province) -> list[Framework]:
    return list(
        Framework.objects.filter(province=province)
        .select_related("unit_kind")
        .annotate(indicator_count=Count("indicators", distinct=True), assessment_count=Count("assessments", distinct=True))
        .order_by("-year", "unit_kind__order", "name")
    )


def get_framework(framework_id: int) -> Framework:
    """The framework `framework_id` of the active province scope, else 404."""
    return get_object_or_404(Framework.objects.select_related("unit_kind", "province"), pk=framework_id)


def get_indicator(framework: Framework, indicator_id: int) -> Indicator:
    return get_object_or_404(Indicator.objects.select_related("parent"), framework=framework, pk=indicator_id)


@dataclass
class Node:
    indicator: Indicator
    children: list["Node"] = field(default_factory=list)
    matched: bool = False
    depth: int = 0


def framework_tree(framework: Framework, query: str = "") -> tuple[list[Node], int]:
    """The indicator tree (roots first) and how many indicators match `query`.

    With a query, only matching indicators and their ancestors are kept; matching is on
    code, name, guidance and required evidence, case-insensitive. Two queries in all.
    """
    indicators = list(
        Indicator.objects.filter(framework=framework).prefetch_related("aggregates").order_by("position", "pk")
    )
    nodes = {i.pk: Node(i) for i in indicators}
    roots = []
    for indicator in indicators:
        node = nodes[indicator.pk]
        if indicator.parent_id in nodes:
            nodes[indicator.parent_id].children.append(node)
        else:
            roots.append(node)

    def set_depth(node, depth):
        node.depth = depth
        for child in node.children:
            set_depth(child, depth + 1)

    for root in roots:
        set_depth(root, 0)
    needle = query.strip().casefold()
    if not needle:
        return roots, len(indicators)

    def keep(node) -> bool:
        text = " ".join([node.indicator.code, node.indicator.name, node.indicator.guidance,
                         node.indicator.evidence_required]).casefold()
        node.matched = needle in text
        node.children = [child for child in node.children if keep(child)]
        return node.matched or bool(node.children)

    roots = [root for root in roots if keep(root)]
    return roots, sum(1 for n in nodes.values() if n.matched)


def max_total(framework: Framework):
    """The framework's total: the sum of its top-level indicators' max (never typed)."""
    from decimal import Decimal

    return sum(framework.indicators.filter(parent__isnull=True).values_list("max_points", flat=True), Decimal(0))

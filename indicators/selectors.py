"""Reads of the catalogue."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, TextField
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.urls import reverse

from dti_portal.tenancy.names import search_key
from dti_portal.tenancy.selectors import former_province_short, lineage_provinces

from .display import RULE_TEXT, html_join, params_text, points, text_with_breaks, url_maker
from .models import Aggregate, Framework, Indicator


def frameworks_of(province) -> list[Framework]:
    """The catalogues the tenant holds: its own and those of the provinces merged into it, each with
    `former_province` ("" for its own, "Tỉnh Đắk Nông (cũ)" for a merged one's). One query (and the
    predecessors' names, with any)."""
    ids = province.lineage_ids
    frameworks = list(
        (Framework.objects.filter(province_id__in=ids) if len(ids) > 1 else Framework.objects.filter(province=province))
        .select_related("unit_kind")
        .annotate(indicator_count=Count("indicators", distinct=True), assessment_count=Count("assessments", distinct=True))
        .order_by("-year", "unit_kind__order", "name", "pk")
    )
    provinces = lineage_provinces(province) if len(ids) > 1 else {}
    for framework in frameworks:
        of = framework.province_id
        framework.former_province = former_province_short(provinces[of]) if of != province.pk else ""
    return frameworks


def get_framework(framework_id: int, *, count_uses: bool = False) -> Framework:
    """The framework `framework_id` of the active province scope, else 404; with `count_uses`, its
    `use_count` (how many assessments answer it) read in the same query."""
    frameworks = Framework.objects.select_related("unit_kind", "province")
    if count_uses:
        frameworks = frameworks.annotate(use_count=Count("assessments"))
    return get_object_or_404(frameworks, pk=framework_id)


def get_indicator(framework: Framework, indicator_id: int) -> Indicator:
    return get_object_or_404(Indicator.objects.select_related("parent"), framework=framework, pk=indicator_id)


@dataclass
class Tree:
    """The catalogue as the tree page prints it: `nodes` in tree order, each a dict of final texts
    (see `framework_tree`); how many indicators match the search; the framework's total; its
    ranking aggregates as (name, codes of their groups)."""

    nodes: list[dict]
    match_count: int
    max_total: Decimal
    aggregates: list[tuple[str, str]]


# The params come last, as the stored JSON text: `params_text` decodes only the sets it has not described.
FIELDS = ("pk", "parent_id", "code", "name", "max_points", "rule", "guidance", "evidence_required",
          "data_source", "verifying_agency", "params")


def framework_tree(framework: Framework, query: str = "", *, editable: bool = False, province_slug: str = "") -> Tree:
    """The indicator tree and how many indicators match `query`, in two queries.

    With a query, only matching indicators and their ancestors are kept; matching is on code,
    name, guidance and required evidence, case and diacritics ignored ("chuyen doi so" finds
    "chuyển đổi số", see `search_key`). The nodes come flat in tree order,
    so that the page prints the nested lists in one loop (a recursive include per node cost
    more than the rest of the page): `parent` marks a node whose list stays open for its
    children, `closes` the lists that end after a node. With `editable`, nodes carry edit links.
    """
    rows = [dict(zip(FIELDS, values, strict=True)) for values in
            Indicator.objects.filter(framework=framework).order_by("position", "pk")
            .annotate(params_json=Cast("params", TextField())).values_list(*FIELDS[:-1], "params_json")]
    groups_of: dict[int, list[str]] = {}
    codes_of: dict[str, list[str]] = {}
    for name, indicator_id, code in (
        Aggregate.objects.filter(framework=framework).order_by("position", "pk", "indicators__position", "indicators__pk")
        .values_list("name", "indicators__pk", "indicators__code")
    ):
        codes_of.setdefault(name, [])
        if indicator_id is not None:
            groups_of.setdefault(indicator_id, []).append(name)
            codes_of[name].append(code)
    by_pk = {row["pk"]: row for row in rows}
    children: dict[int | None, list[dict]] = {}
    for row in rows:
        children.setdefault(row["parent_id"] if row["parent_id"] in by_pk else None, []).append(row)

    needle = search_key(query)
    matched: set[int] = set()
    if needle:
        matched = {r["pk"] for r in rows if needle in search_key(" ".join(
            [r["code"], r["name"], r["guidance"], r["evidence_required"]]))}
        kept = set()
        for pk in matched:
            while pk is not None and pk not in kept:
                kept.add(pk)
                pk = by_pk[pk]["parent_id"] if by_pk[pk]["parent_id"] in by_pk else None
        children = {parent: [r for r in rows_ if r["pk"] in kept] for parent, rows_ in children.items()}

    if editable:
        edit = url_maker("indicators:indicator_edit", {"province": province_slug, "framework_id": framework.pk}, "indicator_id")
        add = reverse("indicators:indicator_create", kwargs={"province": province_slug, "framework_id": framework.pk}) + "?parent="
    nodes: list[dict] = []

    def walk(parent_pk, depth):
        for row in children.get(parent_pk, ()):
            pk = row["pk"]
            details = (
                ("Cách chấm", params_text(row["rule"], row["params"]) if row["params"] not in (None, "{}") else ""),
                ("Cách xác định và tính điểm", text_with_breaks(row["guidance"])),
                ("Tài liệu kiểm chứng", text_with_breaks(row["evidence_required"])),
                ("Nguồn số liệu", row["data_source"]), ("Cơ quan thẩm định", row["verifying_agency"]))
            names = groups_of.get(pk)
            node = {"code": row["code"], "name": row["name"], "max": points(row["max_points"]),
                    "rule": RULE_TEXT.get(row["rule"], row["rule"]), "matched": pk in matched,
                    "open": bool(needle) or depth < 1, "closes": None,
                    # Small repeated fragments made here, escaped as the template would: a loop per
                    # node in the template cost as much as the rest of the node.
                    "aggregates": html_join('<span class="badge text-bg-secondary">{}</span>', names) if names else "",
                    "details": html_join("<div><b>{}:</b> {}</div>", details, labelled=True)}
            if editable:
                node["edit_url"], node["add_url"] = edit(pk), f"{add}{pk}"
            nodes.append(node)
            before = len(nodes)
            walk(pk, depth + 1)
            node["parent"] = len(nodes) > before
            if node["parent"]:  # its list ends after its last descendant
                last = nodes[-1]
                last["closes"] = (last["closes"] or []) + [None]

    walk(None, 0)
    return Tree(nodes=nodes, match_count=len(matched) if needle else len(rows),
                max_total=sum((r["max_points"] for r in children.get(None, ())), Decimal(0)),
                aggregates=[(name, ", ".join(codes)) for name, codes in codes_of.items()])


def max_total(framework: Framework):
    """The framework's total: the sum of its top-level indicators' max (never typed)."""
    return sum(framework.indicators.filter(parent__isnull=True).values_list("max_points", flat=True), Decimal(0))

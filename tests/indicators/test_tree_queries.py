"""The catalogue tree costs the same queries for a short or a long catalogue, searched or not,
and prints the same nested lists whatever the depth (counts asserted, never timings)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from indicators.services import FrameworkMeta, framework_create, indicator_save

FIELDS = {"guidance": "Lấy số liệu\ntrên hệ thống", "evidence_required": "Báo cáo", "data_source": "", "verifying_agency": ""}


def _framework(world, criteria: int):
    """Pillars → groups → `criteria` criteria (count rule with params), with ranking aggregates."""
    province = world.province_a
    with scope(province=province):
        kind = province.unit_kinds.get(code="so")
        fw = framework_create(actor=None, province=province, meta=FrameworkMeta(
            name=f"Bộ {criteria}", year=2025, unit_kind=kind, aggregates=["Chính quyền số"]))
        pillars = [indicator_save(actor=None, framework=fw, indicator=None, parent=None, data=FIELDS | {
            "code": str(p), "name": f"Trụ cột {p}", "max_points": criteria * 5, "rule": "sum", "params": {},
            "aggregates": ["Chính quyền số"]}) for p in (1, 2)]
        for p, pillar in enumerate(pillars, start=1):
            group = indicator_save(actor=None, framework=fw, indicator=None, parent=pillar, data=FIELDS | {
                "code": f"{p}.1", "name": f"Nhóm {p}.1", "max_points": criteria * 5, "rule": "sum", "params": {}})
            for c in range(criteria // 2):
                indicator_save(actor=None, framework=fw, indicator=None, parent=group, data=FIELDS | {
                    "code": f"{p}.1.{c + 1}", "name": f"Số văn bản {p}.1.{c + 1}", "max_points": 10, "rule": "count",
                    "params": {"per_item": 2}})
    return fw


def _queries(client, url) -> tuple[int, str]:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("persona", ["admin_a", "leader_a", "officer_a1"])
@pytest.mark.parametrize("query", ["", "văn bản 1"])
def test_the_tree_costs_the_same_queries_for_20_and_for_80_criteria(world, client_as, persona, query):
    client = client_as(getattr(world, persona))
    counts = []
    for criteria in (20, 80):
        framework = _framework(world, criteria)
        url = reverse("indicators:framework_detail", kwargs={"province": "tinh-a", "framework_id": framework.pk})
        count, page = _queries(client, url + (f"?q={query}" if query else ""))
        counts.append(count)
        if not query:
            assert page.count('class="tree-node') == criteria + 4
    assert counts[0] == counts[1], counts


def test_the_nested_lists_are_balanced_and_hold_each_node_under_its_parent(world, client_as):
    framework = _framework(world, 6)
    url = reverse("indicators:framework_detail", kwargs={"province": "tinh-a", "framework_id": framework.pk})
    page = client_as(world.leader_a).get(url).content.decode()
    tree = page[page.index('<ul class="tree tree-root"'):page.index("</main>")]
    for tag in ("ul", "li", "details"):
        assert len(re.findall(f"<{tag}[ >]", tree)) == len(re.findall(f"</{tag}>", tree)), tag
    # 2.1.3 sits in the list of 2.1, which sits in the list of 2: the closing tags come after it
    after = tree[tree.index('data-code="2.1.3"'):]
    assert after.count("</details>") == 2 and after.count("</ul>") == 3  # 2.1's list, 2's list, the root
    assert '<span class="badge text-bg-secondary">Chính quyền số</span>' in tree
    assert "<div><b>Cách xác định và tính điểm:</b> Lấy số liệu<br>trên hệ thống</div>" in tree
    assert "<div><b>Cách chấm:</b> 2 điểm cho mỗi đơn vị đếm, không vượt điểm tối đa</div>" in tree

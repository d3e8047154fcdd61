"""Benchmark: the catalogue tree page of a 150-indicator framework, beside a bare template of the same tree.

6 pillars → 24 groups → 120 criteria (every rule kind, guidance, evidence, three ranking aggregates),
imported through the catalogue import. The bare page prints the same tree (the same nested lists,
texts, badges and links) with three nested loops over plain values made before timing. Both are
served through the same middleware in the same run; median of N requests each. As the province
admin (a draft: edit links and the catalogue's check) and as leadership (read-only).
Run: make bench   (or .venv/bin/python bench/catalogue_tree.py)
"""

import io
import json
import os

from _pages import bare_url, client_for, compare, count_queries, register_bare, setup_pages

setup_pages()

import openpyxl  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

from dti_portal.accounts.models import Membership, Role, User  # noqa: E402
from dti_portal.tenancy.services import province_create  # noqa: E402
from indicators.models import Indicator  # noqa: E402
from indicators.services import framework_import  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "15"))
RULES = [
    ("ratio", {}), ("count", {"per_item": "2"}), ("yes_no", {}), ("manual", {}),
    ("choice", {"options": [{"label": "Chưa", "points": 0}, {"label": "Một phần", "points": 5}, {"label": "Đầy đủ", "points": 10}]}),
    ("steps", {"steps": [{"min": 1, "points": 2}, {"min": 2, "points": 5}, {"min": 4, "points": 10}]}),
    ("ratio_target", {"target": "0.8"}),
]
AGGREGATES = ["Chính quyền số", "Kinh tế số", "Xã hội số"]


def catalogue(pillars=6, groups=4, criteria=5):
    """Rows of a 150-indicator catalogue: pillars of groups of criteria (10 points each)."""
    rows = [["code", "parent_code", "name", "max_points", "rule", "params", "guidance", "evidence_required", "aggregates"]]
    n = 0
    for p in range(1, pillars + 1):
        rows.append([str(p), "", f"Trụ cột {p} về chuyển đổi số", 10 * groups * criteria, "sum", "", "", "", AGGREGATES[p % 3]])
        for g in range(1, groups + 1):
            rows.append([f"{p}.{g}", str(p), f"Nhóm {p}.{g} hạ tầng và nền tảng", 10 * criteria, "sum", "", "", "", ""])
            for c in range(1, criteria + 1):
                n += 1
                rule, params = RULES[n % len(RULES)]
                rows.append([f"{p}.{g}.{c}", f"{p}.{g}", f"Tỷ lệ hồ sơ thủ tục hành chính {p}.{g}.{c} xử lý trực tuyến toàn trình", 10,
                             rule, json.dumps(params) if params else "", "Lấy số liệu trên hệ thống thông tin giải quyết TTHC.\nĐối chiếu báo cáo quý.",
                             "Báo cáo của đơn vị" if c % 2 else "", ""])
    return rows


def build():
    province = province_create(actor=None, slug="bench", name="Tỉnh thử", coordinating_agency="Sở KH&CN")
    with scopes_disabled():
        people = {}
        for username, role in [("quantri", Role.PROVINCE_ADMIN), ("lanhdao", Role.LEADERSHIP)]:
            people[username] = User.objects.create(username=username, full_name=username.title())
            Membership.objects.create(user=people[username], province=province, role=role)
    book = openpyxl.Workbook()
    for row in catalogue():
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    with scope(province=province):
        report = framework_import(actor=None, province=province, filename="bo-chi-so.xlsx", content=buffer.getvalue(),
                                  meta={"name": "Bộ chỉ số xã 2025 (mẫu)", "year": "2025", "unit_kind": "xa",
                                        "bands": "Tốt:900|Khá:750|Trung bình:600|Yếu:0"})
        assert report.saved, report.problems[:3]
    return province, people, report.framework


BARE_TREE = """{% extends "base.html" %}{% block content %}
<div class="d-flex justify-content-between align-items-start flex-wrap gap-2"><div>
  <div class="text-muted"><a href="{{ h.list }}">Bộ chỉ số</a> › {{ h.kind }} · năm {{ h.year }}</div>
  <h1 class="h3">{{ h.title }}</h1>
  <div class="text-muted">Tổng điểm tối đa <b>{{ h.max }}</b> · <span class="badge text-bg-warning">{{ h.status }}</span></div></div>
  <div class="d-flex flex-wrap gap-1">{% for b in h.links %}<a class="btn btn-sm btn-outline-secondary" href="{{ b.url }}">{{ b.text }}</a>{% endfor %}
    {% for b in h.forms %}<form method="post" action="{{ b.url }}">{% csrf_token %}<button class="btn btn-sm btn-success" type="submit">{{ b.text }}</button></form>{% endfor %}</div>
</div>
<div class="row mt-3 g-3">
  <div class="col-md-6"><div class="card"><div class="card-body py-2"><b>Xếp loại</b> ({{ h.bands_on }}):
    {% for b in h.bands %}<span class="badge text-bg-light border">{{ b.label }} ≥ {{ b.bound }}</span> {% endfor %}</div></div></div>
  <div class="col-md-6"><div class="card"><div class="card-body py-2"><b>Nhóm xếp hạng</b>:
    {% for a in h.aggregates %}<div class="small">{{ a.name }}: {{ a.codes }}</div>{% endfor %}</div></div></div>
</div>
<form class="row g-2 my-3" method="get" role="search">
  <div class="col-sm-6 col-lg-4"><input class="form-control" type="search" name="q" value="{{ h.query }}" placeholder="Tìm theo mã, tên, hướng dẫn…" aria-label="Tìm chỉ tiêu"></div>
  <div class="col-auto"><button class="btn btn-outline-primary" type="submit">Tìm</button></div>
</form>
<ul class="tree tree-root">{% for p in tree %}
<li class="tree-node" data-code="{{ p.code }}"><details open><summary><span class="code">{{ p.code }}</span> <span class="name">{{ p.name }}</span>
  <span class="badge text-bg-light border">{{ p.max }} điểm</span> <span class="badge text-bg-info-subtle text-info-emphasis border">{{ p.rule }}</span>
  <span class="badge text-bg-secondary">{{ p.aggregate }}</span>{% if editable %}<a class="small ms-2" href="{{ p.edit }}">sửa</a> <a class="small ms-1" href="{{ p.add }}">+ con</a>{% endif %}</summary>
  <ul class="tree">{% for g in p.children %}
  <li class="tree-node" data-code="{{ g.code }}"><details><summary><span class="code">{{ g.code }}</span> <span class="name">{{ g.name }}</span>
    <span class="badge text-bg-light border">{{ g.max }} điểm</span> <span class="badge text-bg-info-subtle text-info-emphasis border">{{ g.rule }}</span>{% if editable %}<a class="small ms-2" href="{{ g.edit }}">sửa</a> <a class="small ms-1" href="{{ g.add }}">+ con</a>{% endif %}</summary>
    <ul class="tree">{% for c in g.children %}
    <li class="tree-node" data-code="{{ c.code }}"><div class="tree-leaf"><span class="code">{{ c.code }}</span> <span class="name">{{ c.name }}</span>
      <span class="badge text-bg-light border">{{ c.max }} điểm</span> <span class="badge text-bg-info-subtle text-info-emphasis border">{{ c.rule }}</span>{% if editable %}<a class="small ms-2" href="{{ c.edit }}">sửa</a> <a class="small ms-1" href="{{ c.add }}">+ con</a>{% endif %}</div>
      <div class="tree-detail small text-muted"><div><b>Cách chấm:</b> {{ c.params }}</div><div><b>Cách xác định và tính điểm:</b> {{ c.guidance }}</div>
      <div><b>Tài liệu kiểm chứng:</b> {{ c.evidence }}</div></div></li>{% endfor %}</ul>
  </details></li>{% endfor %}</ul>
</details></li>{% endfor %}</ul>
{% endblock %}"""


def bare_header(framework, editable):
    """The page's header (title, links, bands, aggregates, search form) as plain values."""
    base = f"/bench/bo-chi-so/{framework.pk}/"
    links = [{"url": f"{base}xuat/?format=xlsx", "text": "Tải Excel"}, {"url": f"{base}xuat/?format=csv", "text": "Tải CSV"}]
    forms = []
    if editable:
        links += [{"url": f"{base}sao-chep/", "text": "Sao chép sang năm khác"}, {"url": f"{base}sua/", "text": "Sửa thông tin"},
                  {"url": f"{base}chi-tieu/them/", "text": "Thêm chỉ tiêu"}]
        forms = [{"url": f"{base}ap-dung/", "text": "Áp dụng"}, {"url": f"{base}xoa/", "text": "Xóa"}]
    return {"list": "/bench/bo-chi-so/", "kind": framework.unit_kind.name, "year": framework.year, "title": framework.name,
            "max": "1200", "status": framework.get_status_display(), "links": links, "forms": forms,
            "bands_on": framework.get_bands_on_display().lower(),
            "bands": [{"label": b.label, "bound": f"{b.lower_bound.normalize():f}"} for b in framework.bands.all()],
            "aggregates": [{"name": a.name, "codes": ", ".join(i.code for i in a.indicators.all())} for a in framework.aggregates.all()],
            "query": ""}


def bare_tree(framework):
    """The tree as nested plain values, made once before timing."""
    base = f"/bench/bo-chi-so/{framework.pk}/chi-tieu/"
    nodes = {}
    roots = []
    for i in Indicator.objects.filter(framework=framework).order_by("position").prefetch_related("aggregates"):
        nodes[i.pk] = {"code": i.code, "name": i.name, "max": f"{i.max_points.normalize():f}", "rule": i.get_rule_display(),
                       "params": i.params_text, "guidance": i.guidance.replace("\n", "<br>"), "evidence": i.evidence_required,
                       "aggregate": ", ".join(a.name for a in i.aggregates.all()), "edit": f"{base}{i.pk}/sua/",
                       "add": f"{base}them/?parent={i.pk}", "children": []}
        (nodes[i.parent_id]["children"] if i.parent_id else roots).append(nodes[i.pk])
    return roots


def main():
    province, people, framework = build()
    with scope(province=province):
        register_bare("tree", BARE_TREE, {"h": bare_header(framework, True), "tree": bare_tree(framework), "editable": True})
        register_bare("tree-read", BARE_TREE, {"h": bare_header(framework, False), "tree": bare_tree(framework), "editable": False})
    admin, leader = client_for(people["quantri"]), client_for(people["lanhdao"])
    url = f"/bench/bo-chi-so/{framework.pk}/"
    compare(f"Catalogue tree: 150 indicators (6 pillars, 24 groups, 120 criteria), median of {REQUESTS} requests", [
        ("catalogue tree (province admin, a draft)", admin, url, "bare template, same tree", bare_url("bench", "tree")),
        ("catalogue tree (leadership)", leader, url, "bare template, same tree", bare_url("bench", "tree-read")),
    ], REQUESTS)
    print(f"search “hạ tầng”: {count_queries(leader, url + '?q=h%E1%BA%A1+t%E1%BA%A7ng')} queries")


if __name__ == "__main__":
    main()

"""Benchmark: the data-entry page of a 150-indicator framework, beside a bare template of the same rows.

150 indicators (10 groups of 14 criteria, every rule kind a unit answers), half answered, some
with evidence files. The bare page is one Django template looping over the same 150 rows with the
same inputs and forms (values, csrf tokens, upload forms, evidence links) from plain dicts made
before timing: what the page costs at the least. Both are served through the same middleware by
Django's test client, timed alternately; median of N requests each. Also: the page in read-only
mode, as the appraisal team sees it (the appraisal page of one unit is in bench/board_page.py).
Run: make bench   (or .venv/bin/python bench/entry_page.py)
"""

import os
from datetime import timedelta

from _pages import bare_url, client_for, compare, register_bare, setup_pages

setup_pages()

from django.utils import timezone  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

from assessments.models import Answer, Assessment, Evidence, Period  # noqa: E402
from assessments.services import answer_save, period_open, period_save  # noqa: E402
from dti_portal.accounts.models import Membership, Role, User  # noqa: E402
from dti_portal.tenancy.services import province_create, unit_create  # noqa: E402
from indicators.models import Framework  # noqa: E402
from indicators.scoring import input_fields  # noqa: E402
from indicators.services import FrameworkMeta, framework_create, indicator_save  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "15"))
FIELDS = {"guidance": "Cách xác định " * 5, "evidence_required": "Văn bản", "data_source": "", "verifying_agency": ""}
OPTIONS = [{"label": "Chưa triển khai", "points": 0}, {"label": "Một phần", "points": 5}, {"label": "Đầy đủ", "points": 10}]
ITEMS = [{"label": "Có kế hoạch", "points": 4}, {"label": "Có kinh phí", "points": 3}, {"label": "Có báo cáo", "points": 3}]
STEPS = [{"min": 1, "points": 2}, {"min": 2, "points": 5}, {"min": 4, "points": 10}]
RULES = [  # (rule, params, an answer)
    ("ratio", {}, {"a": "3", "b": "4"}),
    ("count", {"per_item": 1}, {"count": "4"}),
    ("yes_no", {}, {"value": "có"}),
    ("manual", {}, {"points": "5"}),
    ("choice", {"options": OPTIONS}, {"option": "Một phần"}),
    ("checklist", {"items": ITEMS}, {"ticked": ["Có kế hoạch", "Có báo cáo"]}),
    ("steps", {"steps": STEPS}, {"value": "3"}),
    ("ratio_target", {"target": "0.8"}, {"a": "41,6", "b": "60"}),
    ("ratio_steps", {"steps": [{"min": "90 %", "points": 10}, {"min": "70 %", "points": 5}]}, {"a": "41", "b": "50"}),
]


def build():
    province = province_create(actor=None, slug="bench", name="Tỉnh thử", coordinating_agency="Sở KH&CN")
    with scopes_disabled():
        kind = province.unit_kinds.get(code="so")
        unit = unit_create(actor=None, province=province, kind=kind, name="Sở thử")
        user = User.objects.create(username="canbo")
        Membership.objects.create(user=user, province=province, role=Role.UNIT_OFFICER, unit=unit)
        lead = User.objects.create(username="totruong")
        Membership.objects.create(user=lead, province=province, role=Role.APPRAISAL_LEAD)
    with scope(province=province):
        framework = framework_create(actor=None, province=province, meta=FrameworkMeta(name="Bộ 150", year=2026, unit_kind=kind))
        for g in range(1, 11):
            group = indicator_save(actor=None, framework=framework, indicator=None, parent=None, data=FIELDS | {
                "code": str(g), "name": f"Nhóm {g}", "max_points": 140, "rule": "sum", "params": {}})
            for i in range(1, 15):
                rule, params, _ = RULES[(g + i) % len(RULES)]
                indicator_save(actor=None, framework=framework, indicator=None, parent=group, data=FIELDS | {
                    "code": f"{g}.{i}", "name": f"Chỉ tiêu {g}.{i} về chuyển đổi số của đơn vị", "max_points": 10,
                    "rule": rule, "params": params})
        framework.status = Framework.Status.ACTIVE
        framework.save()
        today = timezone.localdate()
        period = Period(province=province, year=2026, name="Kỳ 2026", self_assessment_start=today - timedelta(days=1),
                        self_assessment_end=today + timedelta(days=30))
        period_save(period=period, frameworks={kind: framework}, actor=None)
        period_open(period=period, actor=user)
        assessment = Assessment.objects.get(period=period)
        answers = {rule: inputs for rule, _, inputs in RULES}
        for n, indicator in enumerate(framework.indicators.filter(children__isnull=True).order_by("position")):
            if n % 2 == 0:  # half answered
                answer = answer_save(assessment=assessment, indicator=indicator, inputs=answers[indicator.rule],
                                     note="Theo báo cáo quý" if n % 6 == 0 else "", actor=user)
                if n % 4 == 0:  # a file row without a file: the page lists it, never opens it
                    Evidence.objects.create(answer=answer, file=f"evidence/bench/{n}", original_name=f"bao-cao-{n}.pdf",
                                            content_type="application/pdf", size=120_000, sha256="0" * 64, uploaded_by=user)
    return province, user, lead, assessment


BARE_ENTRY = """{% extends "base.html" %}{% block content %}
<h1 class="h3">{{ title }}</h1>
{% for r in rows %}{% if r.group %}
<div class="entry-group d-flex justify-content-between border-bottom mt-3 pb-1" id="{{ r.anchor }}" data-code="{{ r.code }}"><div class="fw-semibold">{{ r.code }} {{ r.name }}</div><div class="text-nowrap">{{ r.total }} / {{ r.max }}</div></div>
{% else %}
<div class="card entry-item my-2" id="{{ r.anchor }}" data-code="{{ r.code }}"><div class="card-body py-2">
  <div class="d-flex justify-content-between gap-2"><div><b>{{ r.code }}</b> {{ r.name }}</div>
    <div class="text-nowrap"><span class="badge text-bg-primary">{{ r.score }} / {{ r.max }} điểm</span> <span class="badge text-bg-warning">{{ r.missing }}</span></div></div>
  <div class="small text-muted">{{ r.rule }}</div>
  <details class="small"><summary>Cách xác định và tính điểm</summary>{{ r.guidance }}</details>
  <div class="small"><b>Tài liệu kiểm chứng:</b> {{ r.evidence_required }}</div>
  <form method="post" action="{{ r.save_url }}" class="row g-2 align-items-end mt-1">{% csrf_token %}
    {% for f in r.fields %}<div class="col-auto"><label class="small" for="{{ f.id }}">{{ f.label }}</label>
      {% for c in f.controls %}<label><input type="{{ c.type }}" name="{{ f.name }}" id="{{ c.id }}" value="{{ c.value }}" {{ c.on }}> {{ c.text }}</label>{% endfor %}</div>{% endfor %}
    <div class="col"><label class="small" for="{{ r.anchor }}-note">Ghi chú</label>
      <input class="form-control form-control-sm" type="text" name="note" id="{{ r.anchor }}-note" value="{{ r.note }}"></div>
    <div class="col-auto"><button class="btn btn-sm btn-primary" type="submit">Lưu</button></div>
  </form>
  <div class="mt-2 small">
    {% for e in r.evidence %}<div class="d-flex align-items-center gap-2"><a href="{{ e.url }}">{{ e.name }}</a> <span class="text-muted">({{ e.size }})</span>
      <form method="post" action="{{ e.delete_url }}">{% csrf_token %}<button class="btn btn-link btn-sm p-0 text-danger" type="submit">gỡ</button></form></div>{% endfor %}
    <form method="post" enctype="multipart/form-data" class="d-flex gap-2 mt-1 evidence-upload" action="{{ r.upload_url }}">{% csrf_token %}
      <input class="form-control form-control-sm" type="file" name="file" accept="{{ accept }}" data-max-bytes="{{ max_bytes }}" aria-label="Tài liệu kiểm chứng cho {{ r.code }}">
      <button class="btn btn-sm btn-outline-primary text-nowrap" type="submit">Tải lên</button>
    </form>
    <div class="text-danger small upload-error" role="alert"></div>
  </div>
</div></div>
{% endif %}{% endfor %}
{% endblock %}"""


def _controls(anchor, spec, value):
    """The HTML controls of one input, as plain values (radio, option or checkbox per choice)."""
    if spec["kind"] in ("bool", "choice", "multi"):
        choices = ["có", "không"] if spec["kind"] == "bool" else spec["choices"]
        kind = "checkbox" if spec["kind"] == "multi" else "radio"
        chosen = value if isinstance(value, list) else [value]
        return [{"type": kind, "id": f"{anchor}-{spec['name']}-{n}", "value": c, "text": c, "on": "checked" if c in chosen else ""}
                for n, c in enumerate(choices)]
    return [{"type": "text", "id": f"{anchor}-{spec['name']}", "value": value, "text": "", "on": ""}]


def bare_rows(assessment):
    """The page's rows as plain values made once before timing, so that the bare page does no work:
    the same texts, inputs, forms and links as the data-entry page, without its logic."""
    base = f"/bench/tu-danh-gia/{assessment.pk}/chi-tieu/"
    answers = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment).prefetch_related("evidence")}
    rows = []
    for i in assessment.framework.indicators.order_by("position"):
        a = answers.get(i.pk)
        anchor = f"i-{i.pk}"
        if i.rule == "sum":
            rows.append({"group": True, "anchor": anchor, "code": i.code, "name": i.name, "total": "0", "max": "140"})
            continue
        inputs = a.inputs if a else {}
        rows.append({
            "anchor": anchor, "code": i.code, "name": i.name, "score": str(a.self_score) if a else "", "max": "10",
            "missing": "" if a else "chưa nhập số liệu", "rule": f"{i.get_rule_display()}: {i.params_text}",
            "guidance": i.guidance, "evidence_required": i.evidence_required, "note": a.note if a else "",
            "fields": [{"id": f"{anchor}-{f['name']}", "name": f["name"], "label": f["label"],
                        "controls": _controls(anchor, f, inputs.get(f["name"], ""))} for f in input_fields(i.rule, i.params)],
            "evidence": [{"url": f"/bench/tai-lieu/{e.pk}/", "delete_url": f"/bench/tai-lieu/{e.pk}/xoa/", "name": e.original_name,
                          "size": "117,2 KB"} for e in (a.evidence.all() if a else [])],
            "save_url": f"{base}{i.pk}/", "upload_url": f"{base}{i.pk}/tai-lieu/",
        })
    return rows


def main():
    province, user, lead, assessment = build()
    with scope(province=province):
        register_bare("entry", BARE_ENTRY, {"title": assessment.unit.name, "rows": bare_rows(assessment),
                                            "accept": ".pdf,.docx,.xlsx,.odt,.ods,.jpg,.png,.txt", "max_bytes": 20971520})
    officer, team = client_for(user), client_for(lead)
    entry = f"/bench/tu-danh-gia/{assessment.pk}/"
    bare = bare_url("bench", "entry")
    compare(f"Data-entry page: 150 indicators (140 criteria, half answered), median of {REQUESTS} requests", [
        ("data-entry page (unit officer, editable)", officer, entry, "bare template, same rows and inputs", bare),
        ("data-entry page (appraisal lead, read-only)", team, entry, "the same bare template (editable rows)", bare),
    ], REQUESTS)

if __name__ == "__main__":
    main()

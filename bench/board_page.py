"""Benchmark: the period page, the appraisal board and the appraisal of one unit at province size.

150 units (20 sở, 130 xã) × 150 indicators (10 groups of 14 criteria) in every state of a period
(drafting, submitted, round 1 with some decisions, returned, round 2 with sign-offs, final), one
appraiser per unit and one per group of every unit, stored totals filled by `refresh_totals`.
Each page is timed beside a bare template printing the same rows from plain values made before
timing, through the same middleware, in the same run; query counts are printed at 30 and 150 units
(they must be equal: tests/assessments/test_page_queries.py asserts it).
Run: make bench   (or .venv/bin/python bench/board_page.py)
"""

import os
import random
from datetime import timedelta
from decimal import Decimal

from _pages import analyze, bare_url, client_for, compare, count_queries, register_bare, setup_pages

setup_pages()

from django.utils import timezone  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

from assessments.models import Answer, Assessment, Assignment, Period, PeriodFramework, Review, SignOff  # noqa: E402
from assessments.totals import refresh_totals  # noqa: E402
from dti_portal.accounts.models import Membership, Role, User  # noqa: E402
from dti_portal.tenancy.models import Unit  # noqa: E402
from dti_portal.tenancy.services import province_create  # noqa: E402
from indicators.models import Framework, Indicator  # noqa: E402
from indicators.scoring import input_fields  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "15"))
S = Assessment.Status
# (status, share of the units) — every state the board shows
STATES = [(S.DRAFT, 0.2), (S.SUBMITTED, 0.1), (S.ROUND1, 0.25), (S.RETURNED, 0.05), (S.ROUND2, 0.25), (S.FINAL, 0.15)]


def _framework(province, kind, name):
    framework = Framework.objects.create(province=province, name=name, year=2025, unit_kind=kind, status="active")
    leaves, position = [], 0
    for g in range(1, 11):
        position += 1
        group = Indicator.objects.create(framework=framework, code=str(g), name=f"Nhóm {g} về chuyển đổi số", max_points=140,
                                         rule="sum", position=position)
        for i in range(1, 15):
            position += 1
            rule = ["ratio", "yes_no", "manual", "count"][(g + i) % 4]
            leaves.append(Indicator(framework=framework, parent=group, code=f"{g}.{i}", name=f"Chỉ tiêu {g}.{i} của đơn vị",
                                    max_points=10, rule=rule, params={"per_item": "1"} if rule == "count" else {},
                                    evidence_required="Văn bản" if i % 3 == 0 else "", position=position))
    return framework, Indicator.objects.bulk_create(leaves)


def build(slug: str, units: int):
    """A province `slug` with `units` units in every state of one period (bulk inserts: seconds)."""
    rng = random.Random(2025)
    province = province_create(actor=None, slug=slug, name=f"Tỉnh thử {slug}", coordinating_agency="Sở KH&CN")
    with scopes_disabled():
        kinds = {k.code: k for k in province.unit_kinds.all()}
        people = {}
        for username, role in [("quantri", Role.PROVINCE_ADMIN), ("totruong", Role.APPRAISAL_LEAD), ("lanhdao", Role.LEADERSHIP)] + [
                (f"thamdinh{n}", Role.APPRAISER) for n in range(1, 7)]:
            user = User.objects.create(username=f"{slug}.{username}", full_name=f"Cán bộ {username.title()}")
            Membership.objects.create(user=user, province=province, role=role)
            people[username] = user
        appraisers = [people[f"thamdinh{n}"] for n in range(1, 6)]
        frameworks = {code: _framework(province, kinds[code], f"Bộ chỉ số {code} 2025") for code in ("so", "xa")}
        today = timezone.localdate()
        period = Period.objects.create(province=province, year=2025, name="Đánh giá DTI năm 2025", status="open",
                                       self_assessment_start=today - timedelta(days=40), self_assessment_end=today + timedelta(days=5),
                                       round1_end=today + timedelta(days=20), explanation_end=today + timedelta(days=30),
                                       round2_end=today + timedelta(days=40), lead=people["totruong"])
        for code, (framework, _) in frameworks.items():
            PeriodFramework.objects.create(period=period, unit_kind=kinds[code], framework=framework)
        so_count = max(1, units * 20 // 150)
        unit_rows = Unit.objects.bulk_create([
            Unit(province=province, kind=kinds["so" if n < so_count else "xa"],
                 name=f"Sở số {n + 1:02d}" if n < so_count else f"UBND xã số {n + 1:03d}") for n in range(units)])
        statuses = [status for status, share in STATES for _ in range(round(share * units))]
        statuses = (statuses + [S.DRAFT] * units)[:units]
        rng.shuffle(statuses)
        now = timezone.now()
        assessments = Assessment.objects.bulk_create([
            Assessment(period=period, unit=unit, framework=frameworks[unit.kind.code][0], status=status,
                       submitted_at=None if status == S.DRAFT else now - timedelta(days=rng.randint(1, 9)),
                       extended_until=today + timedelta(days=9) if rng.random() < 0.05 else None)
            for unit, status in zip(unit_rows, statuses, strict=True)])
        answers = []
        for assessment in assessments:
            leaves = frameworks["so" if assessment.framework_id == frameworks["so"][0].pk else "xa"][1]
            share = rng.random() if assessment.status == S.DRAFT else 1
            for leaf in leaves:
                if rng.random() < share:
                    answers.append(Answer(assessment=assessment, indicator=leaf, inputs={"points": "5"},
                                          self_score=Decimal(rng.randint(0, 10)), note=""))
        answers = Answer.objects.bulk_create(answers, batch_size=2000)
        status_of = {a.pk: a.status for a in assessments}
        reviews = []
        for answer in answers:
            status = status_of[answer.assessment_id]
            rounds = {S.ROUND1: [1] if rng.random() < 0.5 else [], S.RETURNED: [1], S.ROUND2: [1] + ([2] if rng.random() < 0.6 else []),
                      S.FINAL: [1, 2]}.get(status, [])
            for rnd in rounds:
                adjust = rng.random() < 0.1
                reviews.append(Review(answer=answer, round=rnd, decision="adjust" if adjust else "confirm",
                                      score=answer.self_score - (1 if adjust and answer.self_score else 0),
                                      reason="Thiếu tài liệu" if adjust else "", reviewer=rng.choice(appraisers)))
        Review.objects.bulk_create(reviews, batch_size=2000)
        for answer in answers:
            if status_of[answer.assessment_id] == S.FINAL:
                answer.final_score = answer.self_score
        Answer.objects.bulk_update([a for a in answers if a.final_score is not None], ["final_score"], batch_size=2000)
        Assignment.objects.bulk_create([Assignment(period=period, appraiser=appraisers[n % 5], unit=unit) for n, unit in enumerate(unit_rows)])
        for framework, _ in frameworks.values():  # the cyber-security group of every unit
            Assignment.objects.create(period=period, appraiser=people["thamdinh6"], group=framework.indicators.get(code="7"))
        SignOff.objects.bulk_create([SignOff(assessment=a, appraiser=appraisers[n % 5]) for n, a in enumerate(assessments)
                                     if a.status == S.FINAL or (a.status == S.ROUND2 and n % 2)])
    with scope(province=province):
        refresh_totals([a.pk for a in assessments])
    return province, period, people, assessments


BARE_PERIOD = """{% extends "base.html" %}{% block content %}
<h1 class="h3">{{ title }}</h1>
<table class="table table-sm table-hover">
  <thead><tr><th>Đơn vị</th><th>Trạng thái</th><th class="num">Đã trả lời</th><th class="num">Điểm tự đánh giá</th><th>Gửi lúc</th><th>Hạn</th><th>Gia hạn</th></tr></thead>
  <tbody>{% for r in rows %}
    <tr data-unit="{{ r.unit }}"><td><a href="{{ r.url }}">{{ r.unit }}</a> <span class="text-muted small">{{ r.kind }}</span></td>
      <td><span class="badge text-bg-success">{{ r.status }}</span></td><td class="num">{{ r.answered }}/{{ r.leaves }}</td>
      <td class="num">{{ r.total }}</td><td>{{ r.submitted }}</td><td>{{ r.deadline }}</td>
      <td><form method="post" class="d-flex gap-1" action="{{ r.extend }}">{% csrf_token %}
        <input class="form-control form-control-sm" style="width: 8rem" name="until" value="{{ r.until }}" aria-label="Gia hạn đến">
        <button class="btn btn-sm btn-outline-secondary" type="submit">Lưu</button></form></td></tr>{% endfor %}</tbody>
</table>
{% endblock %}"""

BARE_BOARD = """{% extends "base.html" %}{% block content %}
<h1 class="h3">{{ title }}</h1>
<table class="table table-sm table-hover">
  <thead><tr><th>Đơn vị</th><th>Trạng thái</th><th class="num">Chưa quyết định</th><th class="num">Điểm hiện tại</th><th>Thẩm định viên</th><th>Đã ký</th></tr></thead>
  <tbody>{% for r in rows %}<tr data-unit="{{ r.unit }}"><td><a href="{{ r.url }}">{{ r.unit }}</a></td><td>{{ r.status }}</td>
    <td class="num">{{ r.undecided }}</td><td class="num">{{ r.standing }}</td><td class="small">{{ r.team }}</td><td class="small">{{ r.signed }}</td></tr>{% endfor %}</tbody>
</table>
<table class="table table-sm w-auto">{% for p in per_appraiser %}<tr><td>{{ p.name }}</td><td>{{ p.round }}</td><td class="num">{{ p.count }}</td></tr>{% endfor %}</table>
<table class="table table-sm">{% for a in assignments %}<tr><td>{{ a.appraiser }}</td><td>{{ a.unit }}</td><td>{{ a.group }}</td>
  <td><form method="post" action="{{ a.remove }}">{% csrf_token %}<button class="btn btn-sm btn-link text-danger p-0" type="submit">bỏ</button></form></td></tr>{% endfor %}</table>
<select name="appraiser">{% for p in people %}<option value="{{ p.pk }}">{{ p.name }}</option>{% endfor %}</select>
<select name="unit">{% for u in units %}<option value="{{ u.pk }}">{{ u.name }}</option>{% endfor %}</select>
<select name="group">{% for g in groups %}<option value="{{ g.pk }}">{{ g.name }}</option>{% endfor %}</select>
{% endblock %}"""

BARE_APPRAISAL = """{% extends "base.html" %}{% block content %}
<h1 class="h3">{{ title }}</h1>
<table class="table table-sm align-top mt-3">
  <thead><tr><th>Chỉ tiêu</th><th>Số liệu của đơn vị</th><th class="num">Tự chấm</th><th>Vòng 1</th><th>Giải trình</th><th>Vòng 2</th><th>Quyết định</th></tr></thead>
  <tbody>{% for r in rows %}{% if r.group %}<tr class="table-light"><td colspan="7"><b>{{ r.code }} {{ r.name }}</b> <span class="text-muted">(tối đa {{ r.max }})</span></td></tr>
  {% else %}<tr id="{{ r.anchor }}" data-code="{{ r.code }}">
    <td><b>{{ r.code }}</b> {{ r.name }}<div class="small text-muted">{{ r.rule }}, tối đa {{ r.max }} · <a href="{{ r.history }}">nhật ký</a></div></td>
    <td class="small">{% for f in r.fields %}{{ f.label }}: <b>{{ f.value }}</b><br>{% endfor %}</td>
    <td class="num">{{ r.score }}</td><td class="small">{{ r.round1 }}</td><td class="small">{{ r.explanation }}</td><td class="small">{{ r.round2 }}</td>
    <td><form method="post" action="{{ r.review }}">{% csrf_token %}<input type="hidden" name="version" value="{{ r.version }}">
      {% for d in decisions %}<label class="me-2 small"><input type="radio" name="decision" value="{{ d.value }}" {{ d.on }}> {{ d.label }}</label>{% endfor %}
      <div class="d-flex gap-1 mt-1 flex-wrap">{% for f in r.fields %}<input class="form-control form-control-sm" style="width: 7rem" name="{{ f.name }}" placeholder="{{ f.label }}" aria-label="{{ f.label }} ({{ r.code }})" value="">{% endfor %}</div>
      <textarea class="form-control form-control-sm mt-1" name="reason" rows="1" placeholder="Lý do / tài liệu cần bổ sung" aria-label="Lý do ({{ r.code }})"></textarea>
      <button class="btn btn-sm btn-primary mt-1" type="submit">Lưu</button></form></td></tr>{% endif %}{% endfor %}</tbody>
</table>
{% endblock %}"""


def bare_contexts(province, period, assessments, round1):
    """The rows of each page as plain values, made before timing (no query, no logic while timed)."""
    slug = province.slug
    units = {u.pk: u for u in Unit.objects.all()}
    period_rows = [{"unit": units[a.unit_id].name, "kind": "Xã", "url": f"/{slug}/tu-danh-gia/{a.pk}/", "status": a.get_status_display(),
                    "answered": a.answered_count, "leaves": 140, "total": str(a.self_total or ""), "submitted": "01/01/2025 10:00",
                    "deadline": "31/12/2025", "extend": f"/{slug}/tu-danh-gia/{a.pk}/gia-han/", "until": ""} for a in assessments]
    assignments = list(Assignment.objects.select_related("appraiser", "unit", "group"))
    board = {
        "title": period.name,
        "rows": [{"unit": units[a.unit_id].name, "url": f"/{slug}/tham-dinh/danh-gia/{a.pk}/", "status": a.get_status_display(),
                  "undecided": 70, "standing": str(a.standing_total or ""), "team": "Cán bộ Thamdinh1, Cán bộ Thamdinh6",
                  "signed": "Cán bộ Thamdinh1 (01/01/2025 10:00)"} for a in assessments],
        "per_appraiser": [{"name": f"Cán bộ Thamdinh{n}", "round": r, "count": 1000} for n in range(1, 6) for r in (1, 2)],
        "assignments": [{"appraiser": str(a.appraiser), "unit": a.unit.name if a.unit else "mọi đơn vị",
                         "group": f"{a.group.code} {a.group.name}" if a.group else "mọi nhóm", "remove": f"/{slug}/tham-dinh/phan-cong/{a.pk}/bo/"}
                        for a in assignments],
        "people": [{"pk": u.pk, "name": str(u)} for u in User.objects.filter(memberships__province=province)],
        "units": [{"pk": u.pk, "name": u.name} for u in units.values()],
        "groups": [{"pk": i.pk, "name": f"{i.code} {i.name}"} for i in Indicator.objects.filter(parent__isnull=True)],
    }
    answers = {a.indicator_id: a for a in Answer.objects.filter(assessment=round1)}
    appraisal_rows = []
    for i in Indicator.objects.filter(framework=round1.framework_id).order_by("position"):
        a = answers.get(i.pk)
        if i.rule == "sum":
            appraisal_rows.append({"group": True, "code": i.code, "name": i.name, "max": "140"})
            continue
        appraisal_rows.append({
            "anchor": f"i-{i.pk}", "code": i.code, "name": i.name, "rule": i.get_rule_display(), "max": "10",
            "history": f"/{slug}/tu-danh-gia/{round1.pk}/lich-su/?chi-tieu={i.code}", "score": str(a.self_score) if a else "",
            "fields": [{"name": f["name"], "label": f["label"], "value": (a.inputs.get(f["name"], "—") if a else "—")}
                       for f in input_fields(i.rule, i.params)],
            "round1": "Xác nhận: 5 Cán bộ Thamdinh1", "round2": "", "explanation": "", "version": 1,
            "review": f"/{slug}/tham-dinh/danh-gia/{round1.pk}/chi-tieu/{i.pk}/"})
    decisions = [{"value": v, "label": label, "on": ""} for v, label in Review.Decision.choices[:3]]
    return ({"title": period.name, "rows": period_rows}, board,
            {"title": units[round1.unit_id].name, "rows": appraisal_rows, "decisions": decisions})


def main():
    small = build("bench-30", 30)
    province, period, people, assessments = build("bench", 150)
    analyze()
    with scope(province=province):
        # a unit in round 1 that thamdinh1 appraises (units are assigned in turn to thamdinh1..5)
        round1 = next(a for n, a in enumerate(assessments) if a.status == S.ROUND1 and n % 5 == 0)
        period_ctx, board_ctx, appraisal_ctx = bare_contexts(province, period, assessments, round1)
    register_bare("period", BARE_PERIOD, period_ctx)
    register_bare("board", BARE_BOARD, board_ctx)
    register_bare("appraisal", BARE_APPRAISAL, appraisal_ctx)
    admin, lead, leader = client_for(people["quantri"]), client_for(people["totruong"]), client_for(people["lanhdao"])
    appraiser = client_for(people["thamdinh1"])
    period_url = f"/bench/ky-danh-gia/{period.pk}/"
    board_url = f"/bench/tham-dinh/ky/{period.pk}/"
    unit_url = f"/bench/tham-dinh/danh-gia/{round1.pk}/"

    s_province, s_period, s_people, s_assessments = small
    with scopes_disabled():
        s_round1 = next(a for n, a in enumerate(s_assessments) if a.status == S.ROUND1 and n % 5 == 0)
    print("SQL queries at 30 and at 150 units (each 150 indicators):")
    for label, user, url, s_user, s_url in [
        ("period page (province admin)", people["quantri"], period_url, s_people["quantri"], f"/bench-30/ky-danh-gia/{s_period.pk}/"),
        ("appraisal board (lead)", people["totruong"], board_url, s_people["totruong"], f"/bench-30/tham-dinh/ky/{s_period.pk}/"),
        ("appraisal board (appraiser)", people["thamdinh1"], board_url, s_people["thamdinh1"], f"/bench-30/tham-dinh/ky/{s_period.pk}/"),
        ("appraisal of one unit (appraiser)", people["thamdinh1"], unit_url, s_people["thamdinh1"],
         f"/bench-30/tham-dinh/danh-gia/{s_round1.pk}/"),
    ]:
        print(f"  {label:<42}{count_queries(client_for(s_user), s_url):>4}{count_queries(client_for(user), url):>5}")
    print()
    same = "bare template, same rows"
    compare(f"Period page and appraisal board, 150 units × 150 indicators, median of {REQUESTS} requests", [
        ("period page (province admin)", admin, period_url, same, bare_url("bench", "period")),
        ("period page (leadership)", leader, period_url, "the same bare template (with forms)", bare_url("bench", "period")),
        ("appraisal board (lead)", lead, board_url, same, bare_url("bench", "board")),
        ("appraisal board (leadership)", leader, board_url, "the same bare template (lead's)", bare_url("bench", "board")),
        ("appraisal of one unit, round 1 (appraiser)", appraiser, unit_url, same, bare_url("bench", "appraisal")),
    ], REQUESTS)

if __name__ == "__main__":
    main()

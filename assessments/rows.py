"""Ready rows for the data-entry and appraisal pages: every text a row prints, made once in Python.

Django's template language costs microseconds per variable, filter, tag and `{% url %}`; with
150 indicators and dozens of them per row, the data-entry page spent most of its time formatting
points, reversing URLs, looking up `get_rule_display` and walking `item.indicator.x` chains.
Rows here are plain dicts (the cheapest lookup for templates) of final strings: formatted points,
URLs, labels and checked flags, so a row template only prints them. One row is rendered by one
fragment (`assessments/_entry_row.html`, `assessments/_appraisal_row.html`), so that a later
in-place save can re-render just that row.
"""

import functools

from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.translation import get_language

from indicators.display import RULE_TEXT, points, rounded, rule_text, text_with_breaks, url_maker
from indicators.scoring import echo_number, input_fields

from .answer_forms import answer_version
from .models import Assessment, Review

DASH = "—"
CONFIRM = Review.Decision.CONFIRM
DECISION_LABELS = dict(Review.Decision.choices)
STATUS_LABELS = dict(Assessment.Status.choices)


# Django's date formatter costs ~15 µs a call and the progress table makes three per unit; the
# portal's formats (dti_portal/formats/vi: "d/m/Y", "d/m/Y H:i") translate to strftime once.
_STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y", "H": "%H", "i": "%M", "s": "%S"}


@functools.lru_cache
def _strftime_pattern(fmt: str, language: str) -> str | None:
    """The strftime pattern of a Django format (a setting name or a format), None if it needs Django."""
    django_format = get_format(fmt, language)
    if "\\" in django_format or "%" in django_format or any(c.isalpha() and c not in _STRFTIME for c in django_format):
        return None
    return "".join(_STRFTIME.get(c, c) for c in django_format)


def day(value, fmt: str = "SHORT_DATE_FORMAT") -> str:
    """A date as the `date` filter prints it with `fmt` ("" for None)."""
    if not value:
        return ""
    pattern = _strftime_pattern(fmt, get_language())
    return value.strftime(pattern) if pattern else date_format(value, fmt)


def moment(value, fmt: str = "SHORT_DATETIME_FORMAT") -> str:
    """An aware datetime in the portal's time zone, as the `date` filter prints it ("" for None)."""
    return day(timezone.localtime(value), fmt) if value else ""


def _field_rows(item, anchor: str) -> list[dict]:
    """The answer form's inputs with the typed values; `widget` picks the HTML control."""
    inputs = item.answer.inputs if item.answer else {}
    rows = []
    for spec in item.fields:
        name, kind = spec["name"], spec["kind"]
        value = inputs.get(name, "")
        field = {"name": name, "label": spec["label"], "id": f"{anchor}-{name}", "invalid": False}
        if kind == "bool":
            field |= {"widget": "radio", "options": [
                {"value": "có", "text": "Có", "on": "checked" if value == "có" else ""},
                {"value": "không", "text": "Không", "on": "checked" if value == "không" else ""}]}
        elif kind == "choice":
            field |= {"widget": "select", "options": [
                {"value": c, "text": c, "on": "selected" if value == c else ""} for c in spec["choices"]]}
        elif kind == "multi":
            ticked = value if isinstance(value, list) else []
            field |= {"widget": "checkbox", "options": [
                {"value": c, "text": c, "on": "checked" if c in ticked else ""} for c in spec["choices"]]}
        else:
            field |= {"widget": "text", "value": value, "decimal": kind != "text"}
        if kind == "multi":
            field["shown"] = ", ".join(str(v) for v in value) if isinstance(value, list) and value else DASH
        else:
            field["shown"] = value if value not in ("", None) else DASH
        rows.append(field)
    return rows


class EntryRows:
    """Builds the rows of one assessment's data-entry page (see `row`)."""

    def __init__(self, assessment, province_slug: str):
        scope = {"province": province_slug, "assessment_id": assessment.pk}
        self.save_url = url_maker("assessments:answer_save", scope, "indicator_id")
        self.upload_url = url_maker("assessments:evidence_upload", scope, "indicator_id")
        self.explain_url = url_maker("assessments:explanation_save", scope, "indicator_id")
        self.confirm_url = url_maker("assessments:carry_confirm", scope, "indicator_id")  # last year's copy
        self.download_url = url_maker("assessments:evidence_download", {"province": province_slug}, "evidence_id")
        self.delete_url = url_maker("assessments:evidence_delete", {"province": province_slug}, "evidence_id")
        # Once final, a criterion's badge shows the score that counts (the self-score stays in its result line).
        self.final = assessment.status in (Assessment.Status.FINAL, Assessment.Status.PUBLISHED)

    def row(self, item) -> dict:
        """One indicator: a group heading, or a criterion with its score, inputs, files and results."""
        indicator, answer = item.indicator, item.answer
        anchor = item.anchor
        row = {"leaf": item.is_leaf, "anchor": anchor, "code": indicator.code, "name": indicator.name,
               "depth": item.depth, "max": points(indicator.max_points)}
        if not item.is_leaf:  # once final, a group shows the subtotal that counts, as its criteria do
            row["total"] = points(item.final_total) if self.final else points(item.total)
            return row
        pk, round1 = indicator.pk, item.round1
        score = points(answer.self_score) if answer else ""
        row |= {
            "pk": pk, "version": answer_version(answer.inputs, answer.note) if answer else EMPTY_VERSION,
            # Set by a save or an upload (views._card); present here so that the template never looks up a missing key.
            "dirty": False, "note_invalid": False, "oob": False, "said": False,
            "score": (points(answer.final_score) if answer else "") if self.final else score,
            "missing": item.missing, "rule": rule_text(indicator),
            "guidance": text_with_breaks(indicator.guidance), "evidence_required": indicator.evidence_required,
            "error": answer.error if answer else "", "note": answer.note if answer else "",
            "explanation": answer.explanation if answer else "", "answered": answer is not None,
            "fields": _field_rows(item, anchor),
            "evidence": [{"name": e.original_name, "size": filesizeformat(e.size), "url": self.download_url(e.pk),
                          "delete_url": self.delete_url(e.pk)} for e in item.evidence],
            "save_url": self.save_url(pk), "upload_url": self.upload_url(pk), "explain_url": self.explain_url(pk),
            # Copied from last year and not yet confirmed: the URL of its "Xác nhận" ("" otherwise).
            "carried_over": self.confirm_url(pk) if answer is not None and answer.carried_over else "",
            # Round 1 beside the criterion when it changed something (an adjustment or a request).
            "round1": {"decision": DECISION_LABELS[round1.decision], "score": points(round1.score), "reason": round1.reason}
            if round1 is not None and round1.decision != CONFIRM else None,
            "result": {"self": score or DASH, "round1": points(round1.score) if round1 else DASH,
                       "final": (points(answer.final_score) if answer else "") or DASH,
                       "reason": answer.reason if answer else ""},
        }
        return row


EMPTY_VERSION = answer_version({}, "")


def typed_row(row: dict, form, *, refused: bool) -> None:
    """Show in an entry row what was typed (`form.data`) instead of the stored answer: a refused
    save (`refused`: its fields in error are marked), or the inputs sent along with an upload."""
    data = form.data
    errors = form.errors if refused and form.is_bound else {}
    getlist = data.getlist if hasattr(data, "getlist") else lambda key: data.get(key) or []
    for field in row["fields"]:
        key = form.add_prefix(field["name"])
        if field["widget"] == "checkbox":
            ticked = getlist(key)
            for option in field["options"]:
                option["on"] = "checked" if option["value"] in ticked else ""
        elif field["widget"] in ("radio", "select"):
            chosen = data.get(key, "")
            for option in field["options"]:
                option["on"] = ("checked" if field["widget"] == "radio" else "selected") if option["value"] == chosen else ""
        else:
            field["value"] = data.get(key, "")
        field["invalid"] = field["name"] in errors
    row["note"] = data.get(form.add_prefix("note"), "")
    row["note_invalid"] = "note" in errors
    row["version"] = data.get(form.add_prefix("version"), row["version"])
    row["dirty"] = True
    if errors:
        row["error"] = ""  # the form's messages replace the stored answer's


def echo_text(indicator, inputs: dict) -> str:
    """The saved numbers as the engine read them, thousands grouped ("Tử số (a) = 1.000; Mẫu số (b) = 2.000,5")."""
    shown = []
    for spec in input_fields(indicator.rule, indicator.params):
        value = inputs.get(spec["name"])
        if spec["kind"] in ("number", "integer") and value not in (None, ""):
            shown.append(f"{spec['label']} = {echo_number(value) or value}")
    return "; ".join(shown)


def keep_only_left(items: list) -> list:
    """The items still missing something, with their ancestors (the "what is left" filter)."""
    by_pk = {item.indicator.pk: item for item in items}
    keep = set()
    for item in items:
        if item.missing:
            node = item.indicator
            while node is not None and node.pk not in keep:
                keep.add(node.pk)
                node = by_pk[node.parent_id].indicator if node.parent_id in by_pk else None
    return [item for item in items if item.indicator.pk in keep]


# --- the period page and the appraisal board ------------------------------------------------
def period_rows(assessments: list, leaf_totals: dict[int, int], precision: dict[int, int], province_slug: str) -> list[dict]:
    """The progress table of a period: one row per unit, from the stored counts and totals
    (rounded to the decimals its framework shows: `precision`, framework pk → places)."""
    entry = url_maker("assessments:entry", {"province": province_slug}, "assessment_id")
    extend = url_maker("assessments:extension_grant", {"province": province_slug}, "assessment_id")
    draft = Assessment.Status.DRAFT
    rows = []
    for a in assessments:
        is_draft = a.status == draft
        rows.append({
            "pk": a.pk, "unit": a.unit, "kind": a.kind, "url": entry(a.pk), "extend_url": extend(a.pk),
            "draft": is_draft, "status": "Chưa gửi" if is_draft else STATUS_LABELS[a.status],
            "answered": a.answered_count, "leaf_total": leaf_totals.get(a.framework_id, 0),
            "self_total": rounded(a.self_total, precision.get(a.framework_id, 2)),
            "submitted_at": moment(a.submitted_at), "deadline": day(a.deadline),
            "extended_until": day(a.extended_until),
        })
    return rows


def board_rows(assessments: list, teams: dict, signoffs: dict, undecided: dict, precision: dict[int, int],
               province_slug: str) -> list[dict]:
    """The appraisal board: per unit its state, what is left to decide, its standing total (rounded
    as its framework shows points), its team and signatures."""
    appraisal = url_maker("assessments:unit_appraisal", {"province": province_slug}, "assessment_id")
    rows = []
    for a in assessments:
        left = undecided.get(a.pk)
        rows.append({
            "unit": a.unit, "url": appraisal(a.pk), "status": STATUS_LABELS[a.status],
            "undecided": "" if left is None else left, "standing": rounded(a.standing_total, precision.get(a.framework_id, 2)),
            "team": ", ".join(sorted({x.appraiser for x in teams.get(a.pk, [])})),
            "signed": ", ".join(f"{name} ({moment(signed_at, 'd/m/Y H:i')})" for name, signed_at in signoffs.get(a.pk, ())),
        })
    return rows


# --- the appraisal of one unit --------------------------------------------------------------
def _review_text(review) -> dict | None:
    if review is None:
        return None
    return {"decision": DECISION_LABELS[review.decision], "score": points(review.score), "reason": review.reason,
            "reviewer": str(review.reviewer) if review.reviewer else ""}


def _adjust_fields(item, current) -> list[dict]:
    """The adjusting inputs of a decision form, filled with the current decision's inputs."""
    given = current.inputs if current else {}
    rows = []
    for spec in item.adjust_fields:
        name, kind = spec["name"], spec["kind"]
        value = given.get(name, "")
        field = {"name": name, "label": spec["label"]}
        if kind == "bool":
            field |= {"widget": "select", "options": [{"value": "có", "text": "Có", "on": ""},
                                                      {"value": "không", "text": "Không", "on": ""}]}
        elif kind == "choice":
            field |= {"widget": "select", "options": [{"value": c, "text": c, "on": "selected" if value == c else ""}
                                                      for c in spec["choices"]]}
        elif kind == "multi":
            field |= {"widget": "checkbox", "options": [{"value": c, "text": c, "on": ""} for c in spec["choices"]]}
        else:
            field |= {"widget": "text", "value": value}
        rows.append(field)
    return rows


class AppraisalRows:
    """Builds the rows of one unit's appraisal page (see `row`)."""

    def __init__(self, assessment, province_slug: str, decisions: list[tuple[str, str]]):
        scope = {"province": province_slug, "assessment_id": assessment.pk}
        self.review_url = url_maker("assessments:review", scope, "indicator_id")
        self.history = reverse("assessments:history", kwargs=scope) + "?chi-tieu="
        self.download_url = url_maker("assessments:evidence_download", {"province": province_slug}, "evidence_id")
        self.decisions = decisions

    def row(self, item) -> dict:
        """One indicator: a group heading, or a criterion beside the decisions of both rounds."""
        indicator, answer = item.indicator, item.answer
        row = {"leaf": item.is_leaf, "anchor": item.anchor, "code": indicator.code, "name": indicator.name,
               "max": points(indicator.max_points)}
        if not item.is_leaf:
            return row
        current = item.current
        fields = _field_rows(item, item.anchor)
        row |= {
            "rule": RULE_TEXT.get(indicator.rule, indicator.rule), "history_url": self.history + indicator.code,
            "inputs": [{"label": f["label"], "shown": f["shown"]} for f in fields],
            "note": answer.note if answer else "", "explanation": answer.explanation if answer else "",
            "evidence": [{"name": e.original_name, "url": self.download_url(e.pk) + "?xem=1"} for e in item.evidence],
            "evidence_required": bool(indicator.evidence_required),
            "score": points(answer.self_score) if answer else "",
            "round1": _review_text(item.round1), "round2": _review_text(item.round2), "editable": item.editable,
        }
        if item.editable:
            decided = current.decision if current else ""
            row |= {
                "review_url": self.review_url(indicator.pk), "version": current.version if current else 0,
                "reason": current.reason if current else "",
                "decisions": [{"value": v, "label": label, "on": "checked" if v == decided else ""} for v, label in self.decisions],
                "manual": not item.adjust_fields,
                "points": (current.inputs.get("points", "") if current else ""),
                "adjust": _adjust_fields(item, current),
            }
        return row

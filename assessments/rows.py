"""Ready rows for the data-entry and appraisal pages: every text a row prints, made once in Python.

Django's template language costs microseconds per variable, filter, tag and `{% url %}`; with
150 indicators and dozens of them per row, the data-entry page spent most of its time formatting
points, reversing URLs, looking up `get_rule_display` and walking `item.indicator.x` chains.
Rows here are plain dicts (the cheapest lookup for templates) of final strings: formatted points,
URLs, labels and checked flags, so a row template only prints them. One row is rendered by one
fragment (`assessments/_entry_row.html`, `assessments/_appraisal_row.html`), so that a later
in-place save can re-render just that row.
"""

from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.urls import reverse

from indicators.scoring import RULE_LABELS, describe_params, format_number

from .models import Review

DASH = "—"
CONFIRM = Review.Decision.CONFIRM
DECISION_LABELS = dict(Review.Decision.choices)
RULE_TEXT = {rule.value: label for rule, label in RULE_LABELS.items()}


def points(value) -> str:
    """41.6000 → "41,6"; "" for None (the `points` filter, without the template's overhead)."""
    return "" if value is None else format_number(value)


def url_maker(viewname: str, kwargs: dict, key: str):
    """`reverse()` once; the returned function fills in `key` only (a page needs hundreds of URLs)."""
    marker = 2147483647
    head, tail = reverse(viewname, kwargs=kwargs | {key: marker}).split(str(marker))
    return lambda value: f"{head}{value}{tail}"


def rule_text(indicator) -> str:
    """"Tỷ lệ so với mục tiêu: đạt điểm tối đa khi …" — the rule and its parameters in words."""
    label = RULE_TEXT.get(indicator.rule, indicator.rule)
    detail = describe_params(indicator.rule, indicator.params)
    return f"{label}: {detail}" if detail else label


def _field_rows(item, anchor: str) -> list[dict]:
    """The answer form's inputs with the typed values; `widget` picks the HTML control."""
    inputs = item.answer.inputs if item.answer else {}
    rows = []
    for spec in item.fields:
        name, kind = spec["name"], spec["kind"]
        value = inputs.get(name, "")
        field = {"name": name, "label": spec["label"], "id": f"{anchor}-{name}"}
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
        self.download_url = url_maker("assessments:evidence_download", {"province": province_slug}, "evidence_id")
        self.delete_url = url_maker("assessments:evidence_delete", {"province": province_slug}, "evidence_id")

    def row(self, item) -> dict:
        """One indicator: a group heading, or a criterion with its score, inputs, files and results."""
        indicator, answer = item.indicator, item.answer
        anchor = item.anchor
        row = {"leaf": item.is_leaf, "anchor": anchor, "code": indicator.code, "name": indicator.name,
               "depth": item.depth, "max": points(indicator.max_points)}
        if not item.is_leaf:
            row["total"] = points(item.total)
            return row
        pk = indicator.pk
        round1 = getattr(item, "round1", None)
        row |= {
            "score": points(answer.self_score) if answer else "", "missing": item.missing,
            "rule": rule_text(indicator),
            "guidance": linebreaksbr(indicator.guidance, autoescape=True) if indicator.guidance else "",
            "evidence_required": indicator.evidence_required,
            "error": answer.error if answer else "", "note": answer.note if answer else "",
            "explanation": answer.explanation if answer else "",
            "fields": _field_rows(item, anchor),
            "evidence": [{"name": e.original_name, "size": filesizeformat(e.size), "url": self.download_url(e.pk),
                          "delete_url": self.delete_url(e.pk)} for e in item.evidence],
            "save_url": self.save_url(pk), "upload_url": self.upload_url(pk), "explain_url": self.explain_url(pk),
            "round1": None, "result": None, "answered": answer is not None,
        }
        if round1 is not None and round1.decision != CONFIRM:
            row["round1"] = {"decision": DECISION_LABELS[round1.decision], "score": points(round1.score),
                             "reason": round1.reason}
        row["result"] = {
            "self": row["score"] or DASH, "round1": points(round1.score) if round1 else DASH,
            "final": (points(answer.final_score) if answer else "") or DASH, "reason": answer.reason if answer else "",
        }
        return row


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

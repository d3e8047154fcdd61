"""Texts the pages print, made once in Python: points, rule descriptions, URLs.

Pages that list 150 indicators or 150 units spent most of their time in the template language,
formatting points, describing rules and reversing URLs row by row. Their selectors build rows of
final strings with these helpers instead; templates only print them. Shared by the catalogue and
the assessment pages (assessments import indicators, never the reverse).
"""

import functools
import html
import json

from django.urls import reverse
from django.utils.safestring import SafeString

from .scoring import RULE_LABELS, describe_params, format_number

RULE_TEXT = {rule.value: label for rule, label in RULE_LABELS.items()}


@functools.lru_cache(maxsize=4096)
def points(value) -> str:
    """41.6000 → "41,6"; "" for None (the `points` filter, without the template's overhead).
    Remembered: a page prints the same few maxima and scores over and over."""
    return "" if value is None else format_number(value)


def rounded(value, places: int) -> str:
    """A total as a table shows it: `places` decimals (the framework's precision), "" for None."""
    return "" if value is None else format_number(value, places)


_DESCRIBED: dict[tuple[str, str], str] = {}


def params_text(rule: str, params: dict | str | None) -> str:
    """`describe_params`, remembered: a catalogue repeats a few parameter sets over its criteria.
    `params` may be the stored JSON text (a page listing a catalogue reads it so, and decodes only
    the sets it has not described yet); a dict is keyed by its repr, equal only for equal values."""
    key = (rule, params if isinstance(params, str) else repr(params))
    text = _DESCRIBED.get(key)
    if text is None:
        text = describe_params(rule, json.loads(params) if isinstance(params, str) else params)
        if len(_DESCRIBED) < 4096:
            _DESCRIBED[key] = text
    return text


def text_with_breaks(value: str) -> str:
    """The `linebreaksbr` filter (escaped, line breaks as <br>), without its decorators' cost."""
    return SafeString(html.escape(value).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")) if value else ""


def _escape(value) -> str:
    """`conditional_escape` without its lazy-string wrapper (a tenth of a tree page's time)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def html_join(fragment: str, values, *, labelled: bool = False) -> str:
    """`format_html_join` for a trusted `fragment` with one `{}` per value, each value escaped unless
    already safe. With `labelled`, values are (trusted label, value) pairs filling two `{}`, and a
    pair with an empty value is left out."""
    if labelled:
        return SafeString("".join(fragment.format(label, _escape(value)) for label, value in values if value))
    return SafeString("".join(fragment.format(_escape(value)) for value in values))


def rule_text(indicator) -> str:
    """"Tỷ lệ so với mục tiêu: đạt điểm tối đa khi …" — the rule and its parameters in words."""
    label = RULE_TEXT.get(indicator.rule, indicator.rule)
    detail = params_text(indicator.rule, indicator.params)
    return f"{label}: {detail}" if detail else label


def url_maker(viewname: str, kwargs: dict, key: str):
    """`reverse()` once; the returned function fills in `key` only (a page needs hundreds of URLs)."""
    marker = 2147483647
    head, tail = reverse(viewname, kwargs=kwargs | {key: marker}).split(str(marker))
    return lambda value: f"{head}{value}{tail}"

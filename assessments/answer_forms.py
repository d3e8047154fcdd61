"""Answer forms built from a rule's input spec, in one place (as pretix builds its question forms).

`answer_form(indicator, data)` gives a Django form with one field per input the rule asks for
(`indicators.scoring.input_fields`): numbers read the Vietnamese way by `parse_number`, yes/no,
one choice, several choices, free text; then the unit's note and the version of the answer the
form was drawn from. The entry page, the appraisal page and the Excel import validate through it,
so a value is read, refused or cut (never: too long is an error) the same way everywhere.

`form.inputs()` (after `is_valid()`) is the dict `services.answer_save` stores and scores:
numbers as exact text with a decimal comma ("1000", "2000,5"), which the engine reads back as
the same value whatever the notation rules of the day; choices as their labels; lists for
several choices. A blank input is left out (the engine then says what is missing).
"""

import functools
import hashlib
import json
import unicodedata
from decimal import Decimal

from django import forms

from indicators.scoring import InputError, format_number, input_fields, parse_number

MAX_INPUT_LENGTH = 200  # a typed value (number or text)
MAX_NOTE_LENGTH = 2000
YES, NO = "có", "không"


def answer_version(inputs: dict | None, note: str | None) -> str:
    """A short fingerprint of what an answer holds: a form carries the one it was drawn from, and
    a save is refused when the stored answer's differs (changed in another tab or by another
    person). No answer and an empty answer share the same version: evidence added to an
    unanswered criterion changes nothing the form shows."""
    text = json.dumps([inputs or {}, note or ""], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def _too_long(label: str) -> dict:
    return {"max_length": f"{label}: tối đa %(limit_value)d ký tự (đang có %(show_value)d)."}


def _key(text) -> str:
    """How a typed choice is matched to a label: NFC, spacing collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFC", str(text)).split()).casefold()


class NumberField(forms.Field):
    """A number typed the Vietnamese way ("1.000" = 1000, "41,6"), read by the engine's `parse_number`
    (a text, or an int/float/Decimal from a spreadsheet cell, taken as it is). Cleans to a Decimal."""

    def __init__(self, *, places: int, **kwargs):
        self.places = places
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
            if len(value) > MAX_INPUT_LENGTH:
                raise forms.ValidationError(f"{self.label}: tối đa {MAX_INPUT_LENGTH} ký tự (đang có {len(value)}).")
        if value in self.empty_values:
            return None
        try:
            return parse_number(value, places=self.places)
        except InputError as error:
            raise forms.ValidationError(f"{self.label}: {error.message[:1].lower()}{error.message[1:]}") from None


class LabelChoiceField(forms.ChoiceField):
    """One of the rule's labels; a typed value matches whatever its case and spacing."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        by_key = {_key(choice): choice for choice, _ in self.choices if choice}
        return by_key.get(_key(value), value)


class YesNoField(LabelChoiceField):
    """Có / Không; a spreadsheet's TRUE/FALSE, "x", "1"/"0" read too."""

    _OTHER = {"true": YES, "x": YES, "1": YES, "yes": YES, "co": YES, "false": NO, "0": NO, "no": NO, "khong": NO}

    def to_python(self, value):
        if isinstance(value, bool):
            return YES if value else NO
        value = super().to_python(value)
        return self._OTHER.get(_key(value), value) if value else value


class LabelsField(forms.MultipleChoiceField):
    """Several of the rule's labels, each matched whatever its case and spacing."""

    def to_python(self, value):
        if isinstance(value, str):
            value = [value] if value else []
        values = super().to_python(value)
        by_key = {_key(choice): choice for choice, _ in self.choices}
        return [by_key.get(_key(v), v) for v in values]


class AnswerForm(forms.Form):
    """Base of every answer form; subclasses get one field per input (see `answer_form`)."""

    input_names: tuple[str, ...] = ()
    number_names: frozenset[str] = frozenset()

    note = forms.CharField(label="Ghi chú", required=False, max_length=MAX_NOTE_LENGTH,
                           error_messages=_too_long("Ghi chú"))
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def inputs(self) -> dict:
        """The answer's inputs for `services.answer_save` (after `is_valid()`)."""
        data = self.cleaned_data
        inputs = {}
        for name in self.input_names:
            value = data.get(name)
            if isinstance(value, list):
                inputs[name] = value
            elif isinstance(value, Decimal):
                inputs[name] = format_number(value)
            elif value not in (None, ""):
                inputs[name] = value
        return inputs

    def note_text(self) -> str:
        return self.cleaned_data.get("note", "").strip()

    def expected_version(self) -> str | None:
        """The version the form was drawn from; None when the form did not send one (no check)."""
        key = self.add_prefix("version")
        return self.cleaned_data.get("version") if key in self.data else None

    def error_list(self) -> list[str]:
        """Every message, field messages first, each naming its field."""
        return [message for errors in self.errors.values() for message in errors]


def _field(spec: dict) -> forms.Field:
    label, kind = spec["label"], spec["kind"]
    invalid = {"invalid_choice": f"{label}: “%(value)s” không có trong các lựa chọn."}
    if kind in ("number", "integer"):
        return NumberField(label=label, required=False, places=0 if kind == "integer" else 4)
    if kind == "bool":
        return YesNoField(label=label, required=False, choices=[("", "—"), (YES, "Có"), (NO, "Không")],
                          widget=forms.RadioSelect, error_messages=invalid)
    if kind == "choice":
        return LabelChoiceField(label=label, required=False, choices=[("", "— chọn —")] + [(c, c) for c in spec["choices"]],
                                error_messages=invalid)
    if kind == "multi":
        return LabelsField(label=label, required=False, choices=[(c, c) for c in spec["choices"]],
                           widget=forms.CheckboxSelectMultiple, error_messages=invalid)
    return forms.CharField(label=label, required=False, max_length=MAX_INPUT_LENGTH, error_messages=_too_long(label))


@functools.lru_cache(maxsize=1024)
def _form_class(rule: str, params_json: str) -> type[AnswerForm]:
    specs = input_fields(rule, json.loads(params_json))
    attrs = {spec["name"]: _field(spec) for spec in specs}
    attrs |= {"input_names": tuple(spec["name"] for spec in specs), "field_order": [*attrs, "note"],
              "number_names": frozenset(s["name"] for s in specs if s["kind"] in ("number", "integer"))}
    return type(f"AnswerForm_{rule}", (AnswerForm,), attrs)


def answer_form(indicator, data=None, *, prefix: str | None = None, initial: dict | None = None) -> AnswerForm:
    """The answer form of `indicator` (its rule and params), bound to `data` when given.

    `initial`: an answer's values (input name → value, and "note", "version") for an unbound form."""
    params = json.dumps(indicator.params or {}, sort_keys=True, ensure_ascii=False, default=str)
    return _form_class(str(indicator.rule), params)(data, prefix=prefix, initial=initial)


def initial_of(answer) -> dict:
    """An unbound form's initial values for a stored answer (or None: an empty form)."""
    inputs = answer.inputs if answer else {}
    note = answer.note if answer else ""
    return {**inputs, "note": note, "version": answer_version(inputs, note)}

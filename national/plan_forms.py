"""Forms of the improvement plan: the plan, and a task with its owner, collaborators and targets by year.

Numbers are read the Vietnamese way (`parse_number`: "41,6", "1.000"); "41.6" is refused with how to write
it. The services check everything again; the forms only turn typed text into values and say what is wrong.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms

from dti_portal.tenancy.forms import VN_DATE_ERRORS, DateInput
from dti_portal.tenancy.names import vn_sort_key
from indicators.scoring import InputError, format_number, parse_number

from .whatif import MEASURES

YEAR_ERRORS = {"invalid": "Năm phải là số nguyên, ví dụ 2023.", "required": "Hãy nhập năm.",
               "min_value": "Năm phải từ %(limit_value)s.", "max_value": "Năm phải đến %(limit_value)s."}


def _year(label: str, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=2000, max_value=2100, error_messages=YEAR_ERRORS,
                              widget=forms.NumberInput(attrs={"class": "w-7rem"}), **kwargs)


class PlanForm(forms.Form):
    name = forms.CharField(label="Tên kế hoạch", max_length=255,
                           initial="Kế hoạch nâng cao Chỉ số Chuyển đổi số của tỉnh")
    decision = forms.CharField(label="Số, ngày văn bản", max_length=120, required=False,
                               help_text="Ví dụ: Kế hoạch số 01/KH-BCĐ ngày 30/9/2022 của Ban Chỉ đạo.")
    base_year = _year("Năm kết quả DTI làm căn cứ", help_text="Năm có kết quả DTI cấp tỉnh mà kế hoạch khắc phục, ví dụ 2021.")
    first_year = _year("Từ năm")
    last_year = _year("Đến năm")


def parse_target(text: str) -> Decimal:
    """A typed target: a Vietnamese number, optionally followed by "%" ("20 %", "41,6")."""
    text = (text or "").strip()
    if text.endswith("%"):
        text = text[:-1]
    return parse_number(text)


class TaskForm(forms.Form):
    """A task; `criteria` are (indicator, base points) rows of the plan's catalogue, `units` the province's units."""

    indicator = forms.TypedChoiceField(label="Chỉ số DTI cấp tỉnh", coerce=int,
                                       error_messages={"required": "Hãy chọn chỉ số.",
                                                       "invalid_choice": "Hãy chọn một chỉ số thành phần có điểm."})
    title = forms.CharField(label="Nhiệm vụ", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                            error_messages={"required": "Hãy nhập tên nhiệm vụ."})
    description = forms.CharField(label="Nội dung, giải pháp", required=False, max_length=20000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.TypedChoiceField(label="Đơn vị chủ trì", coerce=int, required=False,
                                   error_messages={"invalid_choice": "Hãy chọn một đơn vị của tỉnh."})
    new_owner = forms.CharField(label="hoặc thêm cơ quan, tổ chức chủ trì mới", max_length=255, required=False,
                                help_text="Ví dụ: Công an tỉnh, Cục Thuế tỉnh, Viettel Đắk Lắk. "
                                          "Tổ chức mới được tạo như một đơn vị để có tài khoản báo cáo riêng.")
    collaborators = forms.TypedMultipleChoiceField(label="Đơn vị phối hợp", coerce=int, required=False,
                                                   widget=forms.SelectMultiple(attrs={"size": 6}),
                                                   error_messages={"invalid_choice": "Hãy chọn các đơn vị của tỉnh."})
    new_collaborators = forms.CharField(label="hoặc thêm cơ quan, tổ chức phối hợp mới (mỗi dòng một tên)",
                                        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label="Hạn hoàn thành", required=False, input_formats=["%d/%m/%Y"], widget=DateInput(),
                               error_messages=VN_DATE_ERRORS)
    unit_of_measure = forms.CharField(label="Đơn vị tính", max_length=40, required=False,
                                      help_text="Để trống: theo cách tính điểm của chỉ số (%, điểm…).")

    def __init__(self, *args, plan, criteria, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["indicator"].choices = [("", "— Chọn chỉ số —")] + [
            (c.id, criterion_label(c)) for c in criteria
        ]
        self.measures = {c.id: MEASURES.get(c.rule, "") for c in criteria}
        groups: dict[str, list] = {}
        for unit in sorted(units, key=lambda u: (u.kind.order, vn_sort_key(u.kind.name), vn_sort_key(u.name))):
            groups.setdefault(unit.kind.name, []).append((unit.pk, unit.name))
        self.fields["owner"].choices = [("", "— Chọn đơn vị —")] + list(groups.items())
        self.fields["collaborators"].choices = list(groups.items())
        self.years = list(range(plan.first_year, plan.last_year + 1))
        for i, year in enumerate(self.years, start=1):
            self.fields[f"target_year_{i}"] = _year(f"Năm (dòng {i})", required=False, initial=year)
            self.fields[f"target_value_{i}"] = forms.CharField(
                label=f"Chỉ tiêu (dòng {i})", required=False, max_length=40,
                widget=forms.TextInput(attrs={"class": "w-8rem", "inputmode": "decimal"}))

    @property
    def target_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"target_year_{i}"], self[f"target_value_{i}"]) for i in range(1, len(self.years) + 1)]

    def clean_new_collaborators(self) -> list[str]:
        names = [line.strip() for line in self.cleaned_data["new_collaborators"].splitlines()]
        return list(dict.fromkeys(n for n in names if n))

    def clean(self):
        data = super().clean()
        if not data.get("owner") and not (data.get("new_owner") or "").strip() and "owner" not in self.errors:
            self.add_error("owner", "Hãy chọn đơn vị chủ trì hoặc nhập tên cơ quan, tổ chức mới.")
        elif data.get("owner") and (data.get("new_owner") or "").strip():
            self.add_error("new_owner", "Chọn một đơn vị có sẵn hoặc nhập tổ chức mới, không cả hai.")
        targets = []
        for i in range(1, len(self.years) + 1):
            year, text = data.get(f"target_year_{i}"), (data.get(f"target_value_{i}") or "").strip()
            if f"target_year_{i}" in self.errors or not text:
                continue
            if year is None:
                self.add_error(f"target_year_{i}", "Hãy nhập năm của chỉ tiêu này.")
                continue
            try:
                targets.append((year, parse_target(text)))
            except InputError as error:
                self.add_error(f"target_value_{i}", f"Chỉ tiêu {error.message[:1].lower()}{error.message[1:]}")
        data["targets"] = targets
        return data


def criterion_label(criterion) -> str:
    """"8.1 Số lượng người dân có danh tính số… — đạt 0/20, mất 20 điểm (2021)"."""
    name = criterion.name if len(criterion.name) <= 90 else criterion.name[:89] + "…"
    lost = criterion.max_points - criterion.base_points
    return (f"{criterion.code} {name} — đạt {format_number(criterion.base_points)}/{format_number(criterion.max_points)}"
            + (f", mất {format_number(lost)} điểm" if lost > 0 else ", đủ điểm")
            + f" · chỉ tiêu tính bằng: {MEASURES.get(criterion.rule, '')}")


def targets_initial(targets, years: list[int]) -> dict:
    """The form's target rows for saved targets: each saved year on its own row, the plan's other years after."""
    initial, rows = {}, [(t.year, format_number(t.value)) for t in targets]
    rows += [(y, "") for y in years if y not in {t.year for t in targets}]
    rows.sort()
    for i, (year, value) in enumerate(rows[: len(years)], start=1):
        initial[f"target_year_{i}"], initial[f"target_value_{i}"] = year, value
    return initial

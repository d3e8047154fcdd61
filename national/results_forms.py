"""Forms of the national results: a year's rank and pillars, other provinces' totals, importing a year.

Numbers are read the Vietnamese way ("41,6"); "41.6" is refused with how to write it. Ranks are
whole numbers from 1 to the number of provinces ranked that year.
"""

from django import forms
from django.core.exceptions import ValidationError

from indicators.forms import PointsField
from indicators.scoring import format_number

from .results import MAX_IMPORT_BYTES, MAX_PROVINCES, parse_peers, parse_rank

PROVINCES_ERRORS = {
    "required": "Cần số tỉnh, thành phố được xếp hạng (63 đến năm 2024, 34 từ năm 2025).",
    "invalid": "Số tỉnh, thành phố được xếp hạng phải là số nguyên, ví dụ 63.",
    "min_value": "Số tỉnh, thành phố được xếp hạng phải từ 1 trở lên.",
    "max_value": f"Số tỉnh, thành phố được xếp hạng không quá {MAX_PROVINCES}.",
}


def _provinces_field():
    return forms.IntegerField(label="Số tỉnh, thành phố được xếp hạng", min_value=1, max_value=MAX_PROVINCES,
                              initial=63, error_messages=PROVINCES_ERRORS)


class ResultForm(forms.Form):
    """The year's total, rank and source, and each pillar's rank and printed points."""

    rank = forms.CharField(label="Xếp hạng chung", required=False, max_length=10,
                           widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    provinces = _provinces_field()
    published_total = PointsField(label="Tổng điểm công bố", required=False, max_length=30)
    source = forms.CharField(label="Nguồn (văn bản công bố)", required=False, max_length=255, error_messages={
        "max_length": "Nguồn dài quá %(limit_value)d ký tự."})

    def __init__(self, *args, pillars=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.pillars = list(pillars)
        for pillar in self.pillars:
            self.fields[f"rank_{pillar.pk}"] = forms.CharField(
                label=f"Hạng trụ cột {pillar.code}", required=False, max_length=10,
                widget=forms.TextInput(attrs={"inputmode": "numeric"}))
            self.fields[f"points_{pillar.pk}"] = PointsField(
                label=f"Điểm công bố trụ cột {pillar.code}", required=False, max_length=30)

    def clean(self):
        data = super().clean()
        provinces = data.get("provinces") or MAX_PROVINCES
        for name in ["rank", *(f"rank_{p.pk}" for p in self.pillars)]:
            if name in self.errors:
                continue
            try:
                data[name] = parse_rank(data.get(name), provinces, str(self.fields[name].label))
            except ValidationError as error:
                self.add_error(name, error.messages[0])
        for pillar in self.pillars:
            points = data.get(f"points_{pillar.pk}")
            if points is not None and points > pillar.max_points:
                self.add_error(f"points_{pillar.pk}", f"{format_number(points)} lớn hơn điểm tối đa của trụ cột "
                                                      f"({format_number(pillar.max_points)}).")
        return data

    def pillar_values(self) -> dict:
        return {p: (self.cleaned_data.get(f"rank_{p.pk}"), self.cleaned_data.get(f"points_{p.pk}")) for p in self.pillars}

    def pillar_rows(self):
        """(pillar, its rank field, its points field) for the template."""
        return [(p, self[f"rank_{p.pk}"], self[f"points_{p.pk}"]) for p in self.pillars]


class PeersForm(forms.Form):
    peers = forms.CharField(
        label="Tổng điểm của các tỉnh, thành phố khác", required=False, max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Mỗi dòng một tỉnh: “Tên tỉnh: tổng điểm”, ví dụ “Lâm Đồng: 512,34”. Để trống để xoá hết.",
        error_messages={"max_length": "Danh sách dài quá %(limit_value)d ký tự."})

    def clean_peers(self):
        return parse_peers(self.cleaned_data["peers"])


class ImportForm(forms.Form):
    year = forms.IntegerField(label="Năm", min_value=2000, max_value=2100, error_messages={
        "required": "Hãy nhập năm, ví dụ 2022.", "invalid": "Năm không hợp lệ, ví dụ 2022.",
        "min_value": "Năm không hợp lệ.", "max_value": "Năm không hợp lệ."})
    file = forms.FileField(label="Tệp CSV hoặc Excel (.xlsx)", error_messages={
        "required": "Hãy chọn tệp.", "empty": "Tệp rỗng, không có dữ liệu."})
    rank = forms.CharField(label="Xếp hạng chung", required=False, max_length=10,
                           help_text="Để trống nếu tệp có dòng “Tổng” với cột xếp hạng.",
                           widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    provinces = _provinces_field()
    source = forms.CharField(label="Nguồn (văn bản công bố)", required=False, max_length=255, error_messages={
        "max_length": "Nguồn dài quá %(limit_value)d ký tự."})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(f"Tệp lớn hơn {MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
        return upload

    def clean(self):
        data = super().clean()
        if "rank" not in self.errors and data.get("provinces"):
            try:
                data["rank"] = parse_rank(data.get("rank"), data["provinces"], "Xếp hạng chung")
            except ValidationError as error:
                self.add_error("rank", error.messages[0])
        return data

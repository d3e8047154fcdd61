import json

from django import forms
from django_scopes.forms import SafeModelChoiceField

from dti_portal.tenancy.forms import VN_DATE_ERRORS, DateInput
from dti_portal.tenancy.models import UnitKind

from .catalogue import ParamsTooLarge, load_params
from .models import Framework, Indicator
from .scoring import RULE_EXAMPLES, RULE_LABELS, Rule, ScoringError, format_number, params_as_written, parse_number
from .tables import MAX_IMPORT_BYTES

RULE_CHOICES = [(r.value, RULE_LABELS[r]) for r in Rule]
PARAMS_HELP = (
    "Dạng JSON, ghi như quyết định: phần của điểm tối đa (fraction) là 0.5, \"1/2\", \"½\" hoặc \"50 %\"; "
    "các bậc ghi từ bậc cao xuống hay từ bậc thấp lên đều được; ngưỡng tỷ lệ là \"90 %\" hoặc 0.9. Ví dụ — "
    + "; ".join(f"{RULE_LABELS[rule].lower()}: {params}" for rule, (_, params) in RULE_EXAMPLES.items() if params)
    + ". Để trống với Có/Không, Tỷ lệ, Tổng, Thẩm định viên chấm."
)


class PointsField(forms.CharField):
    """A number typed the Vietnamese way ("41,6", "1.000"); "41.6" is refused with how to write it."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return parse_number(value, field=str(self.label))
        except ScoringError as error:
            raise forms.ValidationError(error.message) from error


class FrameworkForm(forms.Form):
    name = forms.CharField(label="Tên bộ chỉ số", max_length=255)
    year = forms.IntegerField(label="Năm đánh giá", min_value=2000, max_value=2100,
                              error_messages={"invalid": "Hãy nhập năm, ví dụ 2024."})
    unit_kind = SafeModelChoiceField(label="Áp dụng cho loại đơn vị", queryset=UnitKind.objects.none(),
                                     error_messages={"invalid_choice": "Loại đơn vị đã chọn không có trong tỉnh này."})
    decision_number = forms.CharField(label="Số quyết định", max_length=60, required=False)
    decision_date = forms.DateField(label="Ngày ban hành", required=False, widget=DateInput(), error_messages=VN_DATE_ERRORS)
    issuer = forms.CharField(label="Cơ quan ban hành", max_length=200, required=False)
    precision = forms.IntegerField(label="Số chữ số thập phân hiển thị", min_value=0, max_value=4, initial=2,
                                   error_messages={"invalid": "Hãy nhập một số nguyên từ 0 đến 4."})
    bands_on = forms.ChoiceField(label="Xếp loại theo", choices=Framework.BandsOn.choices)
    non_reporting = forms.ChoiceField(
        label="Đơn vị không báo cáo", choices=Framework.NonReporting.choices, initial=Framework.NonReporting.RANKED_LAST,
        required=False,  # left out, the default: ranked last
        help_text="Đơn vị không gửi báo cáo luôn ghi “-” và không tính vào giá trị trung bình; "
                  "chọn xếp các đơn vị này sau mọi đơn vị có báo cáo, hay không xếp hạng.")
    bands = forms.CharField(
        label="Xếp loại", required=False,
        help_text="Nhãn:ngưỡng dưới, cách nhau bởi |, ví dụ: Tốt:800|Khá:650|Trung bình:500|Yếu:0",
    )

    def __init__(self, *args, province, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_kind"].queryset = UnitKind.objects.filter(province=province)

    def meta_values(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"], "year": str(data["year"]), "unit_kind": data["unit_kind"].code,
            "decision_number": data["decision_number"], "issuer": data["issuer"],
            "decision_date": data["decision_date"].strftime("%d/%m/%Y") if data["decision_date"] else "",
            "precision": str(data["precision"]), "bands_on": data["bands_on"], "bands": data["bands"],
            "non_reporting": data["non_reporting"],
        }


class IndicatorForm(forms.Form):
    parent = SafeModelChoiceField(label="Chỉ tiêu cha", queryset=Indicator.objects.none(), required=False,
                                  error_messages={"invalid_choice": "Chỉ tiêu cha không thuộc bộ chỉ số này."})
    code = forms.CharField(label="Mã", max_length=30, help_text="Mã là văn bản: “6.20” khác “6.2”.")
    name = forms.CharField(label="Tên chỉ tiêu", widget=forms.Textarea(attrs={"rows": 2}))
    max_points = PointsField(label="Điểm tối đa")
    rule = forms.ChoiceField(label="Cách tính điểm", choices=RULE_CHOICES)
    params = forms.CharField(label="Tham số", required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=PARAMS_HELP)
    guidance = forms.CharField(label="Cách xác định và tính điểm", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence_required = forms.CharField(label="Tài liệu kiểm chứng", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    data_source = forms.CharField(label="Nguồn số liệu", max_length=255, required=False)
    verifying_agency = forms.CharField(label="Cơ quan thẩm định", max_length=255, required=False)
    aggregates = forms.CharField(
        label="Nhóm xếp hạng", max_length=500, required=False,
        help_text="Tên các nhóm xếp hạng riêng mà chỉ tiêu thuộc về, cách nhau bởi |, ví dụ: Chính quyền số|Kinh tế số.",
    )

    def __init__(self, *args, framework, exclude_pk=None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Indicator.objects.filter(framework=framework).order_by("position")
        if exclude_pk:
            parents = parents.exclude(pk=exclude_pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].label_from_instance = lambda i: f"{i.code} {i.name[:80]}"

    def clean_code(self):
        return self.cleaned_data["code"].strip()

    def clean_aggregates(self):
        return [name.strip() for name in self.cleaned_data["aggregates"].split("|") if name.strip()]

    def clean_params(self):
        raw = self.cleaned_data["params"].strip()
        if not raw:
            return {}
        try:
            return load_params(raw)
        except ParamsTooLarge as error:
            raise forms.ValidationError(str(error)[:1].upper() + str(error)[1:]) from error
        except json.JSONDecodeError as error:
            raise forms.ValidationError(f"Tham số không phải JSON hợp lệ ({error.msg}, cột {error.colno}).") from error
        except ValueError as error:
            raise forms.ValidationError("Tham số phải là một đối tượng JSON {…}.") from error

    @classmethod
    def initial_for(cls, indicator: Indicator) -> dict:
        return {
            "parent": indicator.parent_id, "code": indicator.code, "name": indicator.name,
            "max_points": format_number(indicator.max_points, grouped=True), "rule": indicator.rule,
            "params": json.dumps(params_as_written(indicator.rule, indicator.params), ensure_ascii=False)
            if indicator.params else "",
            "guidance": indicator.guidance, "evidence_required": indicator.evidence_required,
            "data_source": indicator.data_source, "verifying_agency": indicator.verifying_agency,
            "aggregates": "|".join(a.name for a in indicator.aggregates.all()),
        }


class ImportForm(forms.Form):
    file = forms.FileField(label="Tệp bộ chỉ số (.xlsx hoặc .csv)",
                           help_text=f"Tối đa {MAX_IMPORT_BYTES // (1024 * 1024)} MB. Tải mẫu ở nút “Tải tệp mẫu”.")
    name = forms.CharField(label="Tên bộ chỉ số", max_length=255, required=False,
                           help_text="Để trống nếu tệp Excel đã có trang “Thông tin”.")
    year = forms.CharField(label="Năm đánh giá", max_length=4, required=False)
    unit_kind = SafeModelChoiceField(label="Áp dụng cho loại đơn vị", queryset=UnitKind.objects.none(), required=False,
                                     error_messages={"invalid_choice": "Loại đơn vị đã chọn không có trong tỉnh này."})
    decision_number = forms.CharField(label="Số quyết định", max_length=60, required=False)
    decision_date = forms.CharField(label="Ngày ban hành (dd/mm/yyyy)", max_length=10, required=False)
    issuer = forms.CharField(label="Cơ quan ban hành", max_length=200, required=False)
    non_reporting = forms.ChoiceField(
        label="Đơn vị không báo cáo", required=False,
        choices=[("", "Theo tệp (mặc định: xếp sau các đơn vị có báo cáo)"), *Framework.NonReporting.choices])

    def __init__(self, *args, province, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_kind"].queryset = UnitKind.objects.filter(province=province)

    def meta_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("file")
        data["unit_kind"] = data["unit_kind"].code if data["unit_kind"] else ""
        return data


class CloneForm(forms.Form):
    year = forms.IntegerField(label="Năm đánh giá của bộ mới", min_value=2000, max_value=2100,
                              error_messages={"invalid": "Hãy nhập năm, ví dụ 2025."})
    name = forms.CharField(label="Tên bộ chỉ số mới", max_length=255, required=False,
                           help_text="Để trống để giữ tên cũ.")

    def __init__(self, *args, into=None, **kwargs):
        """With `into` (the tenant, when the framework is of a province merged into it), the copy goes to
        `into` and needs one of its unit kinds: the one of the same code is offered first."""
        super().__init__(*args, **kwargs)
        if into is not None:
            self.fields["unit_kind"] = SafeModelChoiceField(
                label=f"Áp dụng cho loại đơn vị của {into.name}", queryset=UnitKind.objects.none(),
                error_messages={"invalid_choice": "Loại đơn vị đã chọn không có trong tỉnh này.",
                                "required": "Hãy chọn loại đơn vị."})
            self.fields["unit_kind"].queryset = kinds = UnitKind.objects.filter(province=into)
            if not kinds.exists():
                self.fields["unit_kind"].help_text = (f"{into.name} chưa có loại đơn vị nào: hãy “Thêm loại đơn vị” ở trang "
                                                      "Quản trị cấp tỉnh trước, rồi sao chép.")

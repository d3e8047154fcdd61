from django import forms
from django_scopes.forms import SafeModelChoiceField

from dti_portal.tenancy.forms import VN_DATE_ERRORS, DateInput
from dti_portal.tenancy.models import UnitKind
from indicators.models import Framework

from .models import Period

DATE_FIELDS = ["self_assessment_start", "self_assessment_end", "round1_end", "explanation_end", "round2_end", "publication_date"]


class PeriodForm(forms.ModelForm):
    """A period, its schedule and the framework each unit kind answers (one field per kind)."""

    class Meta:
        model = Period
        fields = ["year", "name", *DATE_FIELDS]
        error_messages = {"year": {"invalid": "Hãy nhập năm, ví dụ 2025."}}

    def __init__(self, *args, province, **kwargs):
        super().__init__(*args, **kwargs)
        for name in DATE_FIELDS:
            self.fields[name] = forms.DateField(
                label=Period._meta.get_field(name).verbose_name.capitalize(), required=name.startswith("self_"),
                widget=DateInput(), error_messages=VN_DATE_ERRORS | {"required": "Trường này là bắt buộc."},
            )
        self.kinds = list(UnitKind.objects.filter(province=province))
        current = {}
        if self.instance.pk:
            current = {link.unit_kind_id: link.framework_id for link in self.instance.period_frameworks.all()}
        for kind in self.kinds:
            field = SafeModelChoiceField(
                label=f"Bộ chỉ số cho {kind.name}", queryset=Framework.objects.none(), required=False,
                error_messages={"invalid_choice": "Bộ chỉ số đã chọn không dùng được cho loại đơn vị này."},
            )
            field.queryset = Framework.objects.filter(unit_kind=kind).exclude(status=Framework.Status.RETIRED)
            field.initial = current.get(kind.pk)
            self.fields[f"framework_{kind.code}"] = field

    def frameworks(self) -> dict:
        return {kind: self.cleaned_data.get(f"framework_{kind.code}") for kind in self.kinds}


class ExtensionForm(forms.Form):
    until = forms.DateField(label="Gia hạn đến", required=False, widget=DateInput(), error_messages=VN_DATE_ERRORS)
    reason = forms.CharField(label="Lý do", max_length=255, required=False)


class EvidenceForm(forms.Form):
    file = forms.FileField(label="Tài liệu kiểm chứng", error_messages={
        "required": "Hãy chọn tệp.", "empty": "Tệp rỗng (0 byte).", "invalid": "Không đọc được tệp tải lên."})


class ExplanationForm(forms.Form):
    explanation = forms.CharField(
        label="Giải trình", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": "Giải trình dài %(show_value)d ký tự; tối đa %(limit_value)d. Hãy rút gọn rồi lưu lại."},
        strip=False,
    )

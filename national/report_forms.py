"""The owner's progress report form: the value reached (typed the Vietnamese way), an account, and
optionally a first evidence file checked by content before anything is saved."""

from django import forms

from assessments.answer_forms import NumberField
from assessments.evidence import ACCEPT_ATTRIBUTE, EvidenceRefused, check_upload, max_bytes

from .reports import ACCOUNT_MAX


class ReportForm(forms.Form):
    value = NumberField(places=4, label="Kết quả đạt được", required=False,
                        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                        help_text="Viết số kiểu Việt Nam: dấu phẩy thập phân (41,6), dấu chấm ngăn hàng nghìn (1.000).")
    account = forms.CharField(
        label="Tình hình thực hiện", max_length=ACCOUNT_MAX, strip=True, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Kết quả đạt được, cách tính, khó khăn, kiến nghị.",
        error_messages={"required": "Hãy viết tình hình thực hiện (kết quả, khó khăn, kiến nghị).",
                        "max_length": "Tình hình thực hiện dài %(show_value)d ký tự; tối đa %(limit_value)d. Hãy rút gọn."})
    file = forms.FileField(label="Tài liệu kiểm chứng (không bắt buộc)", required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
                           error_messages={"empty": "Tệp rỗng (0 byte).", "invalid": "Không đọc được tệp tải lên."})

    def __init__(self, *args, needs_value: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].required = needs_value
        self.fields["value"].error_messages["required"] = "Hãy nhập kết quả đạt được (nhiệm vụ có chỉ tiêu bằng số)."
        self.fields["file"].widget.attrs["data-max-bytes"] = str(max_bytes())

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            try:
                check_upload(upload)  # refused here, before the report is saved, so nothing half-done remains
            except EvidenceRefused as error:
                raise forms.ValidationError(error.message) from None
        return upload


class EvidenceForm(forms.Form):
    file = forms.FileField(label="Thêm tài liệu kiểm chứng", widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
                           error_messages={"required": "Hãy chọn tệp.", "empty": "Tệp rỗng (0 byte).",
                                           "invalid": "Không đọc được tệp tải lên."})

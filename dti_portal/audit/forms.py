from django import forms

from dti_portal.accounts.models import User

from .selectors import AREAS

DAY_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


class LogFilterForm(forms.Form):
    """The log page's filter (GET). A wrong value is said in Vietnamese and that filter is left out."""

    khu_vuc = forms.ChoiceField(label="Nội dung", required=False, choices=[("", "Tất cả")] + [
        (code, label) for code, (label, _) in AREAS.items()])
    nguoi = forms.ModelChoiceField(label="Người thực hiện", required=False, queryset=User.objects.none(),
                                   empty_label="Tất cả", error_messages={"invalid_choice": "Không có người này trong tỉnh."})
    ky = forms.ModelChoiceField(label="Kỳ đánh giá", required=False, queryset=None, empty_label="Tất cả",
                                error_messages={"invalid_choice": "Không có kỳ đánh giá này trong tỉnh."})
    tu_ngay = forms.DateField(label="Từ ngày", required=False, input_formats=DAY_FORMATS,
                              error_messages={"invalid": "Ngày không đúng: hãy viết một ngày có thật dạng ngày/tháng/năm, ví dụ 05/11/2026."})
    den_ngay = forms.DateField(label="Đến ngày", required=False, input_formats=DAY_FORMATS,
                               error_messages={"invalid": "Ngày không đúng: hãy viết một ngày có thật dạng ngày/tháng/năm, ví dụ 30/11/2026."})

    def __init__(self, data, *, province, periods, period_label=None):
        """`periods`: the tenant's (its own and those of the provinces merged into it); `period_label(period)`
        names one in the list ("Kỳ 2024 — Tỉnh Đắk Nông (cũ)"), its name when not given."""
        super().__init__(data)
        self.fields["nguoi"].queryset = User.objects.filter(memberships__province=province).distinct().order_by("username")
        self.fields["ky"].queryset = periods
        if period_label is not None:
            self.fields["ky"].label_from_instance = period_label
        for name, field in self.fields.items():
            dated = name in ("tu_ngay", "den_ngay")
            field.widget.attrs["class"] = "form-control form-control-sm w-9rem" if dated else "form-select form-select-sm"
            if dated:
                field.widget.attrs["placeholder"] = "ngày/tháng/năm"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"

    def clean(self):
        data = super().clean()
        since, until = data.get("tu_ngay"), data.get("den_ngay")
        if since and until and until < since:
            self.add_error("den_ngay", "“Đến ngày” phải sau “Từ ngày”.")
        return data

    def filters(self) -> dict:
        """The valid filters, by `province_log`'s names: a field in error is simply not in cleaned_data."""
        self.is_valid()
        data = self.cleaned_data
        return {"area": data.get("khu_vuc") or "", "actor": data.get("nguoi"), "period": data.get("ky"),
                "since": data.get("tu_ngay"), "until": data.get("den_ngay")}

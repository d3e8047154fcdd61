from django import forms

from dti_portal.tenancy.forms import DateInput


class PublicationForm(forms.Form):
    """The decision that publishes a year's results. Too long a text is an error, never cut."""

    year = forms.IntegerField(label="Năm", min_value=2000, max_value=2100, error_messages={
        "required": "Hãy chọn năm.", "invalid": "Năm không hợp lệ.",
        "min_value": "Năm không hợp lệ.", "max_value": "Năm không hợp lệ."})
    decision_number = forms.CharField(label="Số quyết định", max_length=60, error_messages={
        "required": "Cần số quyết định.", "max_length": "Số quyết định dài quá %(limit_value)d ký tự."})
    decision_date = forms.DateField(label="Ngày (dd/mm/yyyy)", input_formats=["%d/%m/%Y"], widget=DateInput(), error_messages={
        "required": "Cần ngày quyết định.",
        "invalid": "Ngày quyết định không hợp lệ: hãy nhập theo dạng dd/mm/yyyy, ví dụ 05/04/2024."})
    signer = forms.CharField(label="Người ký", max_length=150, error_messages={
        "required": "Cần người ký.", "max_length": "Tên người ký dài quá %(limit_value)d ký tự."})

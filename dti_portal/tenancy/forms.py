from django import forms
from django.forms.models import ModelChoiceIterator
from django_scopes.forms import SafeModelChoiceField

from .models import Province, Unit, UnitKind, slug_validator
from .names import vn_sort_key


class UnitChoices(ModelChoiceIterator):
    """A unit dropdown's options by kind, then in Vietnamese alphabetical order (which no ORDER BY
    gives): `field.iterator = UnitChoices`."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for unit in sorted(self.queryset.select_related("kind"), key=lambda u: (u.kind.order, vn_sort_key(u.name))):
            yield self.choice(unit)


class DateInput(forms.DateInput):
    def __init__(self, **kwargs):
        super().__init__(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}, **kwargs)


VN_DATE_ERRORS = {"invalid": "Ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy, ví dụ 01/07/2025."}


class ProvinceCreateForm(forms.Form):
    slug = forms.CharField(
        label="Mã tỉnh (dùng trong địa chỉ trang)", max_length=40, validators=[slug_validator],
        help_text="Chữ thường không dấu, ví dụ: daklak.",
    )
    name = forms.CharField(label="Tên tỉnh", max_length=120)
    coordinating_agency = forms.CharField(label="Cơ quan chủ trì", max_length=200, initial="Sở Khoa học và Công nghệ")
    admin_username = forms.CharField(label="Tên đăng nhập của quản trị cấp tỉnh", max_length=150)
    admin_full_name = forms.CharField(label="Họ và tên", max_length=150, required=False)
    admin_email = forms.EmailField(label="Thư điện tử", required=False)
    admin_password = forms.CharField(label="Mật khẩu ban đầu", widget=forms.PasswordInput, required=False,
                                     help_text="Chỉ cần khi tài khoản chưa có.")


class UnitForm(forms.ModelForm):
    valid_from = forms.DateField(label="Hiệu lực từ", required=False, widget=DateInput(), error_messages=VN_DATE_ERRORS)
    valid_to = forms.DateField(label="Hiệu lực đến", required=False, widget=DateInput(), error_messages=VN_DATE_ERRORS)

    class Meta:
        model = Unit
        fields = ["kind", "name", "valid_from", "valid_to", "note"]
        # Scoped models cannot be queried when the class is built; the queryset is set per province.
        field_classes = {"kind": SafeModelChoiceField}
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"kind": {"invalid_choice": "Loại đơn vị đã chọn không có trong tỉnh này."}}

    def __init__(self, *args, province: Province, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = UnitKind.objects.filter(province=province)

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")
        return data

    def validate_unique(self):
        # Uniqueness is the service's job (it compares normalised names); the form has no province.
        pass


class AliasForm(forms.Form):
    name = forms.CharField(label="Tên gọi khác", max_length=255)
    note = forms.CharField(label="Ghi chú", max_length=255, required=False)
    valid_to = forms.DateField(  # lineage: a former name, shown in the rankings of the years it was used
        label="Tên cũ, dùng đến ngày", required=False, widget=DateInput(), error_messages=VN_DATE_ERRORS,
        help_text="Chỉ nhập khi đây là tên cũ của đơn vị: xếp hạng các năm trước ngày này hiển thị tên cũ.")


class UnitKindForm(forms.Form):
    code = forms.SlugField(label="Mã loại", max_length=40, help_text="Chữ thường không dấu, ví dụ: phuong-xa-moi.",
                           error_messages={"invalid": "Mã loại chỉ gồm chữ thường không dấu, chữ số, dấu gạch ngang."})
    name = forms.CharField(label="Tên loại đơn vị", max_length=120)
    order = forms.IntegerField(
        label="Thứ tự hiển thị", min_value=0, max_value=1000, initial=10,
        # Django's Vietnamese "Nhập một số tổng thể." misleads; say what is meant.
        error_messages={"invalid": "Hãy nhập một số nguyên, ví dụ 4."},
    )


class MergeForm(forms.Form):
    """Record that this unit was merged into another unit of the province."""

    successor = SafeModelChoiceField(
        label="Sáp nhập vào đơn vị", queryset=Unit.objects.none(),
        error_messages={"invalid_choice": "Đơn vị đã chọn không có trong tỉnh này."},
    )
    effective_date = forms.DateField(label="Từ ngày", widget=DateInput(), error_messages=VN_DATE_ERRORS)
    note = forms.CharField(label="Căn cứ", max_length=255, required=False, help_text="Ví dụ: số quyết định sắp xếp.")

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        from .lineage import tenant_of

        # a unit of a province merged into this one may become part of one of this province's units
        self.fields["successor"].queryset = Unit.objects.filter(
            province__in=tenant_of(unit.province_id).lineage_ids).exclude(pk=unit.pk)
        self.fields["successor"].iterator = UnitChoices


class ProvinceMergeForm(forms.Form):
    """A platform admin merges one tenant into another (1 July 2025: Đắk Nông into Lâm Đồng)."""

    source = forms.ModelChoiceField(
        label="Tỉnh được hợp nhất (tỉnh cũ)", queryset=Province.objects.none(),
        error_messages={"invalid_choice": "Tỉnh đã chọn không có hoặc đã hợp nhất.", "required": "Hãy chọn tỉnh cũ."},
    )
    target = forms.ModelChoiceField(
        label="Hợp nhất vào tỉnh", queryset=Province.objects.none(),
        error_messages={"invalid_choice": "Tỉnh đã chọn không có hoặc đã hợp nhất.", "required": "Hãy chọn tỉnh nhận."},
    )
    effective_date = forms.DateField(label="Từ ngày", widget=DateInput(), error_messages={
        **VN_DATE_ERRORS, "required": "Hãy nhập ngày hợp nhất có hiệu lực, ví dụ 01/07/2025."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every province, merged ones too: the service says why a merged one cannot be chosen.
        provinces = Province.objects.all()
        for name in ("source", "target"):
            self.fields[name].queryset = provinces
            self.fields[name].label_from_instance = _province_label
            self.fields[name].empty_label = "— chọn tỉnh —"


def _province_label(province: Province) -> str:
    if province.merged_into_id:
        return f"{province.name} (đã hợp nhất)"
    return province.name

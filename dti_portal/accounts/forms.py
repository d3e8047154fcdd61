from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from dti_portal.tenancy.forms import UnitChoices
from dti_portal.tenancy.models import Unit

from .models import Role

# One message whether the account exists or not: never tell an attacker which usernames exist.
INVALID_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt chữ hoa, chữ thường."


class LoginForm(AuthenticationForm):
    error_messages = {"invalid_login": INVALID_LOGIN, "inactive": INVALID_LOGIN}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Tên đăng nhập"
        self.fields["password"].label = "Mật khẩu"


class VietnamesePasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Mật khẩu hiện tại"
        self.fields["new_password1"].label = "Mật khẩu mới"
        self.fields["new_password2"].label = "Nhập lại mật khẩu mới"
        self.fields["new_password1"].help_text = (
            "Ít nhất 8 ký tự, không quá giống tên đăng nhập, không phải mật khẩu phổ biến, không chỉ gồm chữ số."
        )


class MemberForm(forms.Form):
    """Give a person a role in the province; a new username creates the login."""

    username = forms.CharField(label="Tên đăng nhập", max_length=150)
    full_name = forms.CharField(label="Họ và tên", max_length=150, required=False)
    email = forms.EmailField(label="Thư điện tử", required=False)
    password = forms.CharField(
        label="Mật khẩu ban đầu",
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="Cần khi mời người chưa có vai trò trong tỉnh; dùng khi tên đăng nhập chưa có tài khoản. "
                  "Người dùng nên đổi mật khẩu sau lần đăng nhập đầu.",
    )
    role = forms.ChoiceField(label="Vai trò", choices=Role.choices)
    unit = forms.ModelChoiceField(
        label="Đơn vị (cho cán bộ đầu mối)",
        queryset=Unit.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Đơn vị đã chọn không có trong tỉnh này."},
    )

    def __init__(self, *args, province, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(province=province).select_related("kind")
        self.fields["unit"].iterator = UnitChoices  # by kind, then Vietnamese alphabetical order

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.UNIT_OFFICER and not data.get("unit"):
            self.add_error("unit", "Cán bộ đầu mối phải gắn với một đơn vị.")
        return data

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone

from .access import role_home_url
from .forms import LoginForm, VietnamesePasswordChangeForm
from .selectors import memberships_of


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = VietnamesePasswordChangeForm
    success_url = reverse_lazy("accounts:home")
    success_message = "Đã đổi mật khẩu."


def locked_out(request, original_response=None, credentials=None):
    """django-axes lockout: the login page again, saying when the user may retry (HTTP 429)."""
    cooloff: timedelta = settings.AXES_COOLOFF_TIME
    retry_at = timezone.localtime(timezone.now() + cooloff)
    minutes = int(cooloff.total_seconds() // 60)
    message = (
        f"Đăng nhập tạm bị khóa sau {settings.AXES_FAILURE_LIMIT} lần nhập sai liên tiếp. "
        f"Vui lòng thử lại sau {minutes} phút (sau {retry_at:%H:%M} ngày {retry_at:%d/%m/%Y})."
    )
    form = LoginForm(request, initial={"username": (credentials or {}).get("username", "")})
    return render(request, "accounts/login.html", {"form": form, "lockout_message": message}, status=429)


@login_required
def home(request):
    """Send a person to the home of their role; offer a choice when they hold several."""
    memberships = memberships_of(request.user)
    if len(memberships) == 1 and not request.user.is_platform_admin:
        return redirect(role_home_url(memberships[0]))
    if not memberships and request.user.is_platform_admin:
        return redirect("platform:admin_home")
    if not memberships:
        messages.warning(request, "Tài khoản của bạn chưa được giao vai trò nào. Hãy liên hệ quản trị cấp tỉnh.")
    choices = [(m, role_home_url(m)) for m in memberships]
    return render(request, "accounts/home.html", {"choices": choices})

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_scopes import scopes_disabled

from .access import province_view, role_home_url
from .forms import LoginForm, VietnamesePasswordChangeForm
from .models import Invitation, Notification
from .selectors import invitations_of, memberships_of, notifications_of, unread_by_province
from .services import invitation_answer, notification_read, notifications_read_all

NOTIFICATIONS_PER_PAGE = 50


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
    invitations = invitations_of(request.user)
    if len(memberships) == 1 and not request.user.is_platform_admin and not invitations:
        return redirect(role_home_url(memberships[0]))
    if not memberships and request.user.is_platform_admin and not invitations:
        return redirect("platform:admin_home")
    if not memberships and not invitations:
        messages.warning(request, "Tài khoản của bạn chưa được giao vai trò nào. Hãy liên hệ quản trị cấp tỉnh.")
    unread = unread_by_province(request.user) if memberships else {}
    choices = [(m, role_home_url(m), unread.get(m.province_id, 0)) for m in memberships]
    return render(request, "accounts/home.html", {"choices": choices, "invitations": invitations})


@require_POST
@login_required
def invitation_answer_view(request, invitation_id: int):
    """Accept or decline a role offered by a province admin; another person's invitation is 404."""
    with scopes_disabled():
        invitation = get_object_or_404(Invitation.objects.select_related("province"), pk=invitation_id, user=request.user)
        accept = request.POST.get("tra-loi") == "chap-nhan"
        invitation_answer(invitation=invitation, user=request.user, accept=accept)
    if accept:
        messages.success(request, f"Đã nhận vai trò {invitation.get_role_display()} tại {invitation.province.name}.")
    else:
        messages.info(request, f"Đã từ chối lời mời của {invitation.province.name}.")
    return redirect("accounts:home")


# --- notifications (thông báo), in the province of the URL ----------------------------------
@province_view()
def notification_list(request):
    """The person's notifications in this province, newest first; `?chua-doc=1` keeps the unread."""
    unread_only = request.GET.get("chua-doc") == "1"
    page = Paginator(notifications_of(request.user, unread_only=unread_only), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("trang"))
    return render(request, "accounts/notifications.html", {"page": page, "unread_only": unread_only})


@require_POST
@province_view()
def notification_open(request, notification_id: int):
    """Mark the notification read and go to the page it is about. Another person's: 404."""
    notification = get_object_or_404(Notification, pk=notification_id, user=request.user)
    notification_read(notification)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(link)
    return redirect("notifications:list", province=request.province.slug)


@require_POST
@province_view()
def notifications_mark_all(request):
    count = notifications_read_all(request.user, request.province)
    messages.success(request, f"Đã đánh dấu đã đọc {count} thông báo." if count else "Không còn thông báo nào chưa đọc.")
    return redirect(reverse("notifications:list", kwargs={"province": request.province.slug}))

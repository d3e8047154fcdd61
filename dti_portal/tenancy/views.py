from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dti_portal.forms import add_service_errors
from dti_portal.accounts.access import (get_unit_for_user, officer_unit_ids, province_view, role_home_url,
                                       sees_whole_province)
from dti_portal.accounts.forms import MemberForm
from dti_portal.accounts.models import Invitation, Membership, Role
from dti_portal.accounts.selectors import province_invitations, province_members
from dti_portal.accounts.services import member_add, membership_remove, province_onboard

from assessments import queues
from assessments.selectors import assessments_of_unit

from . import lineage, selectors, services
from .forms import AliasForm, MergeForm, ProvinceCreateForm, ProvinceMergeForm, UnitForm, UnitKindForm


def _form_page(request, form, title, cancel_url, **extra):
    return render(request, "form_page.html", {"form": form, "title": title, "cancel_url": cancel_url, **extra})


def _admin_home_url(request) -> str:
    return reverse("tenancy:admin_home", kwargs={"province": request.province.slug})


def platform_home(request):
    return render(request, "tenancy/platform_home.html", {"provinces": selectors.provinces_listed()})


@login_required
def platform_admin_home(request):
    if not request.user.is_platform_admin:
        raise PermissionDenied
    form = ProvinceCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            province = province_onboard(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Đã tạo tỉnh {province.name} và tài khoản quản trị {form.cleaned_data['admin_username']}."
            )
            return redirect("platform:admin_home")
    return render(request, "tenancy/platform_admin.html", {"form": form, "provinces": selectors.provinces_all()})


@login_required
def province_merge_view(request):
    """A platform admin merges one province into another from a date."""
    if not request.user.is_platform_admin:
        raise PermissionDenied
    form = ProvinceMergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.province_merge(actor=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, (
                f"Đã hợp nhất {data['source'].name} vào {data['target'].name} từ ngày {data['effective_date']:%d/%m/%Y}: "
                f"{moved['memberships'] + moved['memberships_joined']} vai trò và {moved['invitations']} lời mời nay ở "
                f"{data['target'].name}; địa chỉ cũ /{data['source'].slug}/ chuyển tới /{data['target'].slug}/."))
            return redirect("platform:admin_home")
    return render(request, "tenancy/province_merge.html", {"form": form})


@province_view()
def province_home(request):
    """`/<province>/`: straight to the role's home, or a choice between the user's roles."""
    if len(request.memberships) == 1:
        membership = request.memberships[0]
        membership.province = request.province
        return redirect(role_home_url(membership))
    choices = []
    for membership in request.memberships:
        membership.province = request.province
        choices.append((membership, role_home_url(membership), 0))  # the navbar shows the unread count here
    return render(request, "accounts/home.html", {"choices": choices})


@province_view(Role.PROVINCE_ADMIN)
def admin_home(request):
    registry = selectors.registry_context(request.province, request.GET.get("q", ""))
    members = province_members(request.province)
    schedule = queues.admin_queue(request.province, request.province.slug, timezone.localdate())
    return render(request, "tenancy/admin_home.html", {**registry, "members": members, "schedule": schedule,
                                                     "invitations": province_invitations(request.province)})


@province_view(Role.PROVINCE_ADMIN)
def unit_create(request):
    form = UnitForm(request.POST or None, province=request.province)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, province=request.province, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Đã thêm đơn vị {unit.name}.")
            return redirect("tenancy:unit_detail", province=request.province.slug, unit_id=unit.pk)
    return _form_page(request, form, "Thêm đơn vị", _admin_home_url(request))


@province_view(Role.PROVINCE_ADMIN)
def unit_edit(request, unit_id: int):
    unit = get_unit_for_user(request, unit_id)
    # a unit of a province merged into this one keeps that province's kinds
    form = UnitForm(request.POST or None, instance=unit, province=_unit_province(request, unit))
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Đã lưu thông tin đơn vị.")
            return redirect("tenancy:unit_detail", province=request.province.slug, unit_id=unit.pk)
    cancel = reverse("tenancy:unit_detail", kwargs={"province": request.province.slug, "unit_id": unit.pk})
    return _form_page(request, form, f"Sửa đơn vị: {unit.name}", cancel)


def _unit_province(request, unit):
    """The province `unit` belongs to: the request's, or one merged into it (no query for the request's)."""
    if unit.province_id == request.province.pk:
        return request.province
    return selectors.lineage_provinces(request.province)[unit.province_id]


def _unit_page(request, unit, *, alias_form=None, merge_form=None, status=200):
    can_edit = Role.PROVINCE_ADMIN in request.roles
    ancestry, descendants = lineage.lineage_trees(unit)
    context = {"unit": selectors.unit_detail(unit.pk), "can_edit": can_edit, "assessments": assessments_of_unit(unit),
               "ancestry": ancestry, "descendants": descendants, "link_units": sees_whole_province(request),
               "history": lineage.year_rows(request.province, unit, ancestry)}
    context["with_predecessors"] = any(not row.own for year in context["history"] for row in year["rows"])
    if unit.province_id != request.province.pk:  # a unit of a province merged into this one
        context["former_province"] = selectors.former_province_label(
            _unit_province(request, unit), selectors.lineage_provinces(request.province))
    if unit.pk in officer_unit_ids(request):  # the officer's home: what waits for the unit
        context["queue"] = queues.officer_queue(unit.pk, request.province.slug, timezone.localdate())
    if can_edit:
        context["alias_form"] = alias_form or AliasForm()
        context["merge_form"] = merge_form or MergeForm(unit=unit)
    return render(request, "tenancy/unit_detail.html", context, status=status)


@province_view()
def unit_detail(request, unit_id: int):
    return _unit_page(request, get_unit_for_user(request, unit_id))


@require_POST
@province_view(Role.PROVINCE_ADMIN)
def unit_alias_add(request, unit_id: int):
    unit = get_unit_for_user(request, unit_id)
    form = AliasForm(request.POST)
    if form.is_valid():
        try:
            services.unit_add_alias(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return _unit_page(request, unit, alias_form=form, status=400)
    messages.success(request, f"Đã thêm tên gọi khác “{form.cleaned_data['name']}”.")
    return redirect("tenancy:unit_detail", province=request.province.slug, unit_id=unit.pk)


@require_POST
@province_view(Role.PROVINCE_ADMIN)
def unit_merge(request, unit_id: int):
    unit = get_unit_for_user(request, unit_id)
    form = MergeForm(request.POST, unit=unit)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.units_merge(
                actor=request.user, predecessors=[unit], successor=data["successor"], effective_date=data["effective_date"], note=data["note"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return _unit_page(request, unit, merge_form=form, status=400)
    messages.success(request, f"Đã ghi nhận {unit.name} sáp nhập vào {form.cleaned_data['successor'].name}.")
    return redirect("tenancy:unit_detail", province=request.province.slug, unit_id=unit.pk)


@province_view(Role.PROVINCE_ADMIN)
def unit_kind_create(request):
    form = UnitKindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kind = services.unit_kind_create(actor=request.user, province=request.province, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Đã thêm loại đơn vị {kind.name}.")
            return redirect("tenancy:admin_home", province=request.province.slug)
    return _form_page(request, form, "Thêm loại đơn vị", _admin_home_url(request))


@province_view(Role.PROVINCE_ADMIN)
def member_create(request):
    form = MemberForm(request.POST or None, province=request.province)
    if request.method == "POST" and form.is_valid():
        try:
            given = member_add(province=request.province, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if isinstance(given, Invitation):  # the same words whether the account is new or existed elsewhere
                messages.success(request, f"Đã mời “{given.user.username}” nhận vai trò {given.get_role_display()}. "
                                          "Vai trò có hiệu lực khi người đó đăng nhập và chấp nhận lời mời.")
            else:
                messages.success(request, f"Đã giao vai trò {given.get_role_display()} cho {given.user.username}.")
            return redirect("tenancy:admin_home", province=request.province.slug)
    return _form_page(
        request, form, f"Giao vai trò trong {request.province.name}", _admin_home_url(request),
        intro="Người đã có vai trò trong tỉnh nhận thêm vai trò ngay. Người khác nhận một lời mời: nếu tên đăng nhập "
        "chưa có, tài khoản được tạo với mật khẩu ban đầu dưới đây; nếu đã có (ở tỉnh khác), mật khẩu đó không được dùng. "
        "Vai trò có hiệu lực khi người đó đăng nhập và chấp nhận lời mời.",
        submit_label="Giao vai trò",
    )


@require_POST
@province_view(Role.PROVINCE_ADMIN)
def member_remove(request, membership_id: int):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id)
    try:
        membership_remove(membership=membership, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Đã bỏ vai trò {membership.get_role_display()} của {membership.user.username}.")
    return redirect("tenancy:admin_home", province=request.province.slug)

"""One request, one tenant: `/<province>/...` becomes `request.province` and its scope."""

from django.http import Http404
from django.urls import Resolver404, resolve
from django_scopes import scope

from .models import Province


class ProvinceMiddleware:
    """Resolve the province slug of the URL, load the user's roles there, enter its scope.

    Outside a province URL no scope is active, so a forgotten tenant filter raises
    `ScopeError` rather than leaking another province's data.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.province = None
        request.memberships = []
        request.roles = frozenset()
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        slug = match.kwargs.get("province")
        if slug is None:
            return self.get_response(request)

        province = Province.objects.filter(slug=slug, is_active=True).first()
        if province is None:
            raise Http404("Không có tỉnh này.")
        request.province = province
        with scope(province=province):
            if request.user.is_authenticated:
                from dti_portal.accounts.models import Membership

                request.memberships = list(
                    Membership.objects.filter(user=request.user).select_related("unit")
                )
                request.roles = frozenset(m.role for m in request.memberships)
            return self.get_response(request)

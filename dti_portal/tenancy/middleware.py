"""One request, one tenant: `/<province>/...` becomes `request.province` and its scope."""

from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.urls import Resolver404, resolve
from django_scopes import scope

from .models import Province


class ProvinceMiddleware:
    """Resolve the province slug of the URL, load the user's roles there, enter its scope.

    Outside a province URL no scope is active, so a forgotten tenant filter raises
    `ScopeError` rather than leaking another province's data. The scope covers the province and
    the provinces merged into it (`Province.lineage_ids`): the receiving tenant holds their history.
    A merged province's URLs redirect to the same path under the province it was merged into.
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

        province = Province.objects.filter(slug=slug).first()
        if province is None:
            raise Http404("Không có tỉnh này.")
        if province.merged_into_id:
            return _redirect_to_successor(request, province, "year" in match.kwargs)
        if not province.is_active:
            raise Http404("Không có tỉnh này.")
        request.province = province
        lineage = province.lineage_ids
        with scope(province=lineage if len(lineage) > 1 else province.pk):
            if request.user.is_authenticated:
                from dti_portal.accounts.models import Membership

                request.memberships = list(
                    Membership.objects.filter(user=request.user, province=province).select_related("unit")
                )
                request.roles = frozenset(m.role for m in request.memberships)
            return self.get_response(request)


def _redirect_to_successor(request, province: Province, by_year: bool):
    """The same path under the province `province` was merged into (through a chain of mergers).

    A page named by a year (a ranking, a publication) names the merged province in `?tinh=`, since
    the receiving province may have its own page of that year."""
    successor, seen = province, {province.pk}
    while successor.merged_into_id and successor.merged_into_id not in seen:
        successor = successor.merged_into
        seen.add(successor.pk)
    prefix = f"/{province.slug}/"
    path = request.path
    script, _, rest = path.partition(prefix)
    location = f"{script}/{successor.slug}/{rest}"
    query = request.GET.copy()
    if by_year and "tinh" not in query:
        query["tinh"] = province.slug
    if query:
        location += "?" + query.urlencode()
    redirect = HttpResponsePermanentRedirect if request.method in ("GET", "HEAD") else HttpResponseRedirect
    return redirect(location)

from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def notifications(request):
    """The navbar's unread count, in the province of the URL: read only when a page shows it (one
    query), never for an anonymous visitor or outside a province."""
    if not getattr(request, "memberships", None) or not request.user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(request.user))}

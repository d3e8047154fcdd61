"""What a province merged into the current one left behind is read, never changed: its results and plans.
A page that would change one refuses with 403 and says why, with a link to what may be read."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import render


class ReadOnly(PermissionDenied):
    """Raised by a page that would change a predecessor's row: `message` says why, `back` is its reading page."""

    def __init__(self, message: str, back: str):
        super().__init__(message)
        self.message, self.back = message, back


def refuse_read_only(view):
    """The view, with a `ReadOnly` refusal shown as a 403 page carrying its message."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ReadOnly as refusal:
            return render(request, "national/read_only.html", {"message": refusal.message, "back": refusal.back},
                          status=403)

    return wrapper

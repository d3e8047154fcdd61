from dti_portal.accounts.access import sees_whole_province


def province(request):
    return {
        "province": getattr(request, "province", None),
        "memberships": getattr(request, "memberships", []),
        "sees_province": bool(getattr(request, "roles", None)) and sees_whole_province(request),
    }

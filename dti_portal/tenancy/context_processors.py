def province(request):
    return {
        "province": getattr(request, "province", None),
        "memberships": getattr(request, "memberships", []),
    }

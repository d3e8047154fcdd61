def home_context(request) -> dict:
    """What this part shows on the national home page (national/views.py)."""
    return {}

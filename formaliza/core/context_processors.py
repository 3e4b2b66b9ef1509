"""The back office's navigation, filtered by what the signed-in user may open.

Entries come from settings.NAVIGATION: (label, url name, required permission or None)."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "tenant_id", None):
        return {"nav": []}
    items = []
    for label, url_name, perm in settings.NAVIGATION:
        if perm and not user.has_perm_code(perm):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": False})
    # The most specific entry containing the current path is the active one.
    matching = [item for item in items if request.path.startswith(item["url"])]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["active"] = True
    return {"nav": items}

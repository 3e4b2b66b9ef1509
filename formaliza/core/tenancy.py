"""Request tenancy: every signed-in user belongs to exactly one tenant (promotora).

`request.tenant` is that tenant (None for anonymous requests and platform superusers). Views never
take a tenant id from the URL or the form: they read `request.tenant` and pass it to selectors,
which always filter by it, so another tenant's record is simply "not found".
"""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def _tenant_of(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return getattr(user, "tenant", None)


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = SimpleLazyObject(lambda: _tenant_of(request))
        return self.get_response(request)

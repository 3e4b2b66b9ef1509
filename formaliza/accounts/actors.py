"""Who is acting: a signed-in user, an integrator's API key, or the system itself.

Services take an `Actor`, check its permission in one place and record it in history.
"""

from __future__ import annotations

from dataclasses import dataclass

from formaliza.accounts.models import ApiKey, Tenant, User
from formaliza.core.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    tenant: Tenant
    user: User | None = None
    api_key: ApiKey | None = None
    system: str = ""  # name of the automatic process, when neither a user nor a key

    @classmethod
    def of_user(cls, user: User) -> Actor:
        return cls(tenant=user.tenant, user=user)

    @classmethod
    def of_api_key(cls, key: ApiKey) -> Actor:
        return cls(tenant=key.tenant, api_key=key)

    @classmethod
    def of_system(cls, tenant: Tenant, name: str) -> Actor:
        return cls(tenant=tenant, system=name)

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.display_name
        if self.api_key is not None:
            return f"API: {self.api_key.name}"
        return f"Sistema ({self.system})"

    @property
    def kind(self) -> str:
        if self.user is not None:
            return "user"
        if self.api_key is not None:
            return "api_key"
        return "system"

    def can(self, perm: str) -> bool:
        if self.user is not None:
            return self.user.has_perm_code(perm)
        if self.api_key is not None:
            return self.api_key.has_perm_code(perm)
        return True

    def require(self, perm: str) -> None:
        if not self.can(perm):
            raise PermissionDenied()

    def as_dict(self) -> dict:
        data = {"kind": self.kind, "label": self.label}
        if self.user is not None:
            data["user_id"] = self.user.pk
        if self.api_key is not None:
            data["api_key_prefix"] = self.api_key.prefix
        return data

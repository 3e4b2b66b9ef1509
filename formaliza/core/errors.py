"""Application errors: one base class the UI and the API both understand.

A service raises `ApplicationError` (or a subclass) with a stable machine-readable `code` and a
pt-BR `message` a person can act on. The API turns it into `{"error": {...}}` with `status`;
views show `message` (and field errors next to their fields).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass
class ApplicationError(Exception):
    code: str
    message: str
    status: int = 400
    fields: list[FieldError] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def as_dict(self) -> dict:
        body: dict = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = [f.as_dict() for f in self.fields]
        if self.extra:
            body.update(self.extra)
        return {"error": body}


class ValidationFailed(ApplicationError):
    """One or more fields are invalid; nothing was written."""

    def __init__(self, fields: list[FieldError], message: str | None = None):
        super().__init__(
            code="validation_failed",
            message=message or "Alguns campos estão inválidos. Corrija-os e tente novamente.",
            status=422,
            fields=fields,
        )


class NotFound(ApplicationError):
    def __init__(self, what: str = "Registro", code: str = "not_found"):
        super().__init__(code=code, message=f"{what} não encontrado.", status=404)


class PermissionDenied(ApplicationError):
    def __init__(self, message: str = "Você não tem permissão para esta ação."):
        super().__init__(code="permission_denied", message=message, status=403)


class Conflict(ApplicationError):
    def __init__(self, code: str, message: str, **extra):
        super().__init__(code=code, message=message, status=409, extra=extra)


class FieldErrors:
    """Collects field errors so a validator can report all of them at once."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, field_name: str, code: str, message: str) -> None:
        self.items.append(FieldError(field_name, code, message))

    def has(self, field_name: str) -> bool:
        return any(item.field == field_name for item in self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationFailed(self.items)

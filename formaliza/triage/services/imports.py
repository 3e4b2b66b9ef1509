"""Importing orders from a CSV or XLSX file: every row is checked first, and a file with any
bad row imports nothing — the error list names each row and column in pt-BR. A good file is
upserted by external id in one transaction (the same file twice changes nothing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from formaliza.accounts.models import Tenant
from formaliza.core import clock
from formaliza.core.errors import ApplicationError, ValidationFailed
from formaliza.triage.events import Who
from formaliza.triage.services.orders import OrderInput, order_clean, order_upsert_result
from formaliza.triage.spreadsheet import FileInvalid, header_key, table_read

# The file's header (normalised by `header_key`) → the order's field.
COLUMNS = {
    "pedido": "external_id", "codigo do pedido": "external_id", "external id": "external_id",
    "cliente": "client_name", "nome": "client_name", "nome do cliente": "client_name",
    "produto": "product",
    "cpf/cnpj": "client_document", "cpf": "client_document", "cnpj": "client_document",
    "documento": "client_document",
    "celular": "client_phone", "telefone": "client_phone", "whatsapp": "client_phone",
    "e-mail": "client_email", "email": "client_email",
    "e-mail da contabilidade": "accountant_email", "contabilidade": "accountant_email",
    "pagamento": "payment_status", "link de pagamento": "payment_link",
    "documentos": "documents_status",
    "agendamento": "appointment_at", "comparecimento": "attendance",
    "emitido em": "emitted_at", "emissao": "emitted_at",
    "cancelado em": "cancelled_at", "cancelamento": "cancelled_at",
}  # fmt: skip
REQUIRED = {"external_id": "pedido", "client_name": "cliente", "product": "produto"}
CHOICES = {
    "payment_status": ({"pago": "paid", "paid": "paid", "sim": "paid", "pendente": "pending",
                        "pending": "pending", "nao": "pending", "": "pending"},
                       "use “pago” ou “pendente”"),
    "documents_status": ({"recebidos": "received", "recebido": "received", "received": "received",
                          "sim": "received", "pendentes": "pending", "pendente": "pending",
                          "pending": "pending", "nao": "pending", "": "pending"},
                         "use “recebidos” ou “pendentes”"),
    "attendance": ({"compareceu": "attended", "attended": "attended", "sim": "attended",
                    "nao compareceu": "no_show", "faltou": "no_show", "no show": "no_show",
                    "no_show": "no_show", "": ""},
                   "use “compareceu”, “não compareceu” ou deixe vazio"),
}  # fmt: skip
DATE_FIELDS = ("appointment_at", "emitted_at", "cancelled_at")
DATE_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d")  # fmt: skip
MAX_ERRORS = 200


@dataclass(frozen=True)
class RowError:
    row: int  # the line in the file (header = 1); 0 for the file itself
    column: str  # as written in the file's header
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}

    @property
    def text(self) -> str:
        if not self.row:
            return self.message
        return f"Linha {self.row}, coluna “{self.column}”: {self.message}"


class ImportRejected(ApplicationError):
    """The file was refused; nothing was imported. `errors` name each row and column."""

    def __init__(self, errors: list[RowError]):
        shown = errors[:MAX_ERRORS]
        more = f" (mostrando {MAX_ERRORS} de {len(errors)})" if len(errors) > MAX_ERRORS else ""
        super().__init__(
            code="triage_import_invalid",
            message=f"Nada foi importado: corrija {len(errors)} erro(s) no arquivo{more}.",
            status=422, extra={"errors": [e.as_dict() for e in shown]},
        )  # fmt: skip
        self.errors = shown


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ignored_columns: list[str] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(0))
    else:
        for fmt in DATE_FORMATS:
            try:
                # A spreadsheet's times are local (São Paulo); the zone is added below.
                moment = dt.datetime.strptime(str(value).strip(), fmt)  # noqa: DTZ007
                break
            except ValueError:
                continue
        else:
            raise ValueError(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.SAO_PAULO)


def _document(value) -> str:
    # A spreadsheet stores an unformatted CPF/CNPJ as a number and drops its leading zeros.
    text = _text(value)
    if isinstance(value, (int, float)) and text.isdigit():
        return text.zfill(11) if len(text) <= 11 else text.zfill(14)
    return text


def _columns(header: list[str]) -> tuple[dict[int, str], list[str], list[RowError]]:
    mapping, ignored, errors, seen = {}, [], [], {}
    for index, title in enumerate(header):
        name = COLUMNS.get(header_key(title))
        if name is None:
            if title:
                ignored.append(title)
            continue
        if name in seen:
            errors.append(RowError(1, title, f"Coluna repetida (já existe “{seen[name]}”)."))
            continue
        seen[name] = title
        mapping[index] = name
    missing = [label for name, label in REQUIRED.items() if name not in seen]
    if missing:
        errors.append(RowError(0, "", f"Faltam as colunas obrigatórias: {', '.join(missing)}."))
    return mapping, ignored, errors


def _row(number: int, cells: list, mapping: dict[int, str], header: list[str]):
    """(OrderInput values, errors) of one row."""
    errors, values = [], {}
    for index, name in mapping.items():
        raw = cells[index] if index < len(cells) else None
        column = header[index]
        if name in DATE_FIELDS:
            try:
                values[name] = _date(raw)
            except ValueError:
                errors.append(RowError(number, column, "Data inválida: use dd/mm/aaaa hh:mm."))
        elif name in CHOICES:
            table, hint = CHOICES[name]
            value = table.get(header_key(_text(raw)))
            if value is None:
                errors.append(RowError(number, column, f"Valor “{_text(raw)}” inválido: {hint}."))
            values[name] = value if value is not None else table[""]  # reported once, here
        elif name == "client_document":
            values[name] = _document(raw)
        else:
            values[name] = _text(raw)
    return values, errors


def _check(table, mapping) -> tuple[list[tuple[OrderInput, dict]], list[RowError]]:
    checked, errors, first_line = [], [], {}
    column_of = {name: table.header[i] for i, name in mapping.items()}
    for number, cells in table.rows:
        values, row_errors = _row(number, cells, mapping, table.header)
        data = OrderInput(**{"external_id": "", "client_name": "", "product": "", **values})
        try:
            cleaned = order_clean(data)
        except ValidationFailed as exc:
            row_errors += [
                RowError(number, column_of.get(f.field, REQUIRED.get(f.field, f.field)), f.message)
                for f in exc.fields
            ]
            cleaned = None
        key = (data.external_id or "").strip()
        if key and key in first_line:
            row_errors.append(RowError(number, column_of["external_id"],
                              f"Pedido “{key}” repetido no arquivo (já na linha {first_line[key]})."))  # fmt: skip
        first_line.setdefault(key, number)
        errors += row_errors
        if not row_errors:
            checked.append((data, cleaned))
    return checked, errors


def orders_import(*, tenant: Tenant, filename: str, content: bytes, who: Who) -> ImportReport:
    """Import a CSV/XLSX of orders, all or nothing."""
    try:
        table = table_read(filename=filename, content=content)
    except FileInvalid as exc:
        raise ImportRejected([RowError(0, "", exc.message)]) from exc
    mapping, ignored, errors = _columns(table.header)
    if errors:
        raise ImportRejected(errors)
    checked, errors = _check(table, mapping)
    if errors:
        raise ImportRejected(errors)
    report = ImportReport(rows=len(checked), ignored_columns=ignored)
    author = Who(kind=who.kind, label=f"{who.label} (importação {filename})"[:200], user=who.user)
    with transaction.atomic():
        for data, cleaned in checked:
            _, result = order_upsert_result(tenant=tenant, data=data, who=author, values=cleaned)
            setattr(report, result, getattr(report, result) + 1)
    return report

"""Files the history produces: result lists as CSV or XLSX, a transcript as text or PDF."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.template.loader import render_to_string
from openpyxl import Workbook

from formaliza.conversations.models import Conversation, Message
from formaliza.core import clock
from formaliza.evidence.report import html_to_pdf

HEADER = [
    "Protocolo", "Iniciado em", "Encerrado em", "Status de finalização", "Setor",
    "Finalizado por", "Campanha", "Contato", "Telefone/E-mail", "Canal de entrada", "Situação",
]  # fmt: skip
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _when(value) -> str:
    return clock.local(value).strftime("%d/%m/%Y %H:%M:%S") if value else ""


def rows_of(conversations: Iterable[Conversation]) -> Iterable[list[str]]:
    for c in conversations:
        yield [
            c.protocol, _when(c.opened_at), _when(c.closed_at),
            c.finalization.name if c.finalization else "",
            c.department.name if c.department else "",
            c.finished_by.display_name if c.finished_by else "",
            c.campaign, c.contact.name or c.handle.profile_name, c.handle.address_display,
            c.channel.name, c.get_status_display(),
        ]  # fmt: skip


class CsvWriter:
    """Semicolon-separated with a BOM: what Excel in pt-BR opens correctly by double-click."""

    def __init__(self):
        self.buffer = io.StringIO()
        self.buffer.write("\ufeff")
        self.csv = csv.writer(self.buffer, delimiter=";")
        self.csv.writerow(HEADER)

    def write_rows(self, rows: Iterable[list[str]]) -> None:
        self.csv.writerows(rows)

    def finish(self) -> bytes:
        return self.buffer.getvalue().encode("utf-8")


class XlsxWriter:
    def __init__(self):
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet("Histórico")
        self.sheet.append(HEADER)

    def write_rows(self, rows: Iterable[list[str]]) -> None:
        for row in rows:
            self.sheet.append(row)

    def finish(self) -> bytes:
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


def writer_for(format: str) -> CsvWriter | XlsxWriter:
    return XlsxWriter() if format == "xlsx" else CsvWriter()


def filename(format: str) -> str:
    return f"historico-{clock.local(clock.now()):%Y%m%d-%H%M%S}.{format}"


def export_bytes(conversations: Iterable[Conversation], format: str) -> bytes:
    writer = writer_for(format)
    writer.write_rows(rows_of(conversations))
    return writer.finish()


# --- transcripts ---------------------------------------------------------------------------------


def author_of(message: Message) -> str:
    """The seed marks the client's messages and the automatic ones ("Auto")."""
    if message.direction == Message.Direction.INBOUND:
        return "Cliente"
    if message.sent_by_id:
        return message.sent_by_label or "Atendente"
    return "Auto"


def transcript_text(conversation: Conversation, messages: Iterable[Message]) -> str:
    lines = [
        f"Atendimento {conversation.protocol} — {conversation.channel.name}",
        f"Contato: {conversation.contact.name or conversation.handle.profile_name or '—'} "
        f"({conversation.handle.address_display})",
        f"Sessão iniciada em {_when(conversation.opened_at)}",
        "",
    ]
    for message in messages:
        lines.append(f"[{_when(message.created_at)}] {author_of(message)}: {message.body}")
        for attachment in message.attachments.all():
            lines.append(
                f"    Anexo: {attachment.filename or attachment.kind} ({attachment.mime_type})"
            )
    if conversation.closed_at:
        lines += ["", f"Sessão encerrada em {_when(conversation.closed_at)}"]
    return "\n".join(lines) + "\n"


def transcript_pdf(conversation: Conversation, messages: Iterable[Message]) -> bytes:
    items = [(m, author_of(m)) for m in messages]
    html = render_to_string(
        "history/transcript_pdf.html",
        {"conversation": conversation, "items": items, "generated_at": clock.now()},
    )
    return html_to_pdf(html)

"""Reading an order file (CSV or XLSX) into rows of cells named by the file's own header.
Only the shape of the file is judged here (encoding, header, size); what the cells mean is
judged by `services.imports`."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from openpyxl import load_workbook

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000


class FileInvalid(Exception):
    """The file cannot be read at all (not a table, empty, too big); a pt-BR message. Not an
    ApplicationError: the import service turns it into one with the row errors' shape."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Table:
    header: list[str]  # as written in the file
    rows: list[tuple[int, list]]  # (row number in the file, cells)


def header_key(text: str) -> str:
    """'E-mail da Contabilidade ' → 'e-mail da contabilidade'; 'Não compareceu' → 'nao compareceu'."""
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("_", " ").split())


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileInvalid("Não foi possível ler o texto do arquivo: salve o CSV em UTF-8.")


def _read_csv(content: bytes) -> list[list]:
    text = _decode(content)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
        dialect.delimiter = ";" if sample.count(";") > sample.count(",") else ","
    return list(csv.reader(io.StringIO(text), dialect))


def _read_xlsx(content: bytes) -> list[list]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileInvalid("O arquivo não é uma planilha XLSX válida.") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def table_read(*, filename: str, content: bytes) -> Table:
    if len(content) > MAX_BYTES:
        raise FileInvalid(f"O arquivo passa de {MAX_BYTES // (1024 * 1024)} MB.")
    name = filename.lower()
    if name.endswith(".xlsx"):
        raw = _read_xlsx(content)
    elif name.endswith((".csv", ".txt")):
        raw = _read_csv(content)
    else:
        raise FileInvalid("Envie um arquivo .csv ou .xlsx.")
    # Numbered as the person sees them in the spreadsheet (first line = 1) before blank lines
    # are dropped, so an error names the line they will look for.
    lines = [(n, r) for n, r in enumerate(raw, start=1) if any(c not in (None, "") for c in r)]
    if not lines:
        raise FileInvalid("O arquivo está vazio.")
    if len(lines) - 1 > MAX_ROWS:
        raise FileInvalid(f"O arquivo tem mais de {MAX_ROWS} linhas: divida-o.")
    header = ["" if c is None else str(c).strip() for c in lines[0][1]]
    if len(lines) == 1:
        raise FileInvalid("O arquivo só tem o cabeçalho: nenhum pedido para importar.")
    return Table(header=header, rows=lines[1:])

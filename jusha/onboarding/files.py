"""Reading uploaded files safely: size and zip-bomb limits, spreadsheets and CSV as rows of text.

Everything here works on bytes in memory and raises `DomainError` with a code for anything it cannot
read, so a bad upload becomes a clear message, never a 500. XML inside .xlsx is parsed by openpyxl,
which uses defusedxml when it is installed (it is: pinned in pyproject.toml).
"""

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from jusha.core.errors import DomainError

# A zip whose members expand to more than this many times its own size is treated as a bomb.
MAX_ZIP_RATIO = 200
MAX_ZIP_MEMBERS = 200


def check_size(content: bytes) -> None:
    limit = settings.JUSHA_IMPORT_MAX_BYTES
    if len(content) > limit:
        raise DomainError(_("The file is larger than %(mb)s MB. Split it into smaller files.")
                          % {"mb": limit // (1024 * 1024)}, code="file_too_large", field="file")
    if not content:
        raise DomainError(_("The file is empty."), code="empty_file", field="file")


def open_zip(content: bytes) -> zipfile.ZipFile:
    """A zip archive whose expanded size is sane, or DomainError."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise DomainError(_("The file is not a valid zip archive."), code="not_a_zip", field="file") from None
    expanded = sum(m.file_size for m in members)
    if len(members) > MAX_ZIP_MEMBERS or expanded > max(len(content), 1) * MAX_ZIP_RATIO or (
            expanded > settings.JUSHA_IMPORT_MAX_BYTES * 10):
        raise DomainError(_("The archive expands to far more than its size; it cannot be imported."),
                          code="zip_bomb", field="file")
    return archive


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        raise DomainError(_("A file inside the archive cannot be read."), code="unreadable_file",
                          field="file") from None


# --- tables ---------------------------------------------------------------------------------------

@dataclass
class Table:
    """A sheet as text: the header row and each data row with its row number in the file (1-based)."""

    headers: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)
    header_row: int = 1


def table_format(filename: str) -> str:
    name = filename.lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith(".csv"):
        return "csv"
    raise DomainError(_("Upload an Excel workbook (.xlsx) or a CSV file."), code="unsupported_format", field="file")


def read_table(filename: str, content: bytes, *, header_only: bool = False) -> Table:
    check_size(content)
    if table_format(filename) == "csv":
        rows = _csv_rows(content)
    else:
        rows = _xlsx_rows(content, header_only=header_only)
    numbered = [(n, values) for n, values in rows if any(v not in (None, "") for v in values)]
    if not numbered:
        raise DomainError(_("The file has no rows."), code="empty_file", field="file")
    header_row, header_values = numbered[0]
    headers = [header_text(v) for v in header_values]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise DomainError(_("The first row must name the columns."), code="no_headers", field="file")
    return Table(headers=headers, rows=[] if header_only else numbered[1:], header_row=header_row)


def _screen(archive: zipfile.ZipFile) -> bool:
    """Refuse DTDs and say whether any worksheet has merged cells.

    openpyxl reads worksheets with the standard library's expat, which expands internal entities;
    Office Open XML never has a DTD, so any part declaring one is refused before openpyxl sees it.
    """
    merged = False
    for info in archive.infolist():
        name = info.filename.lower()
        if not name.endswith((".xml", ".rels", ".vml")):
            continue
        with archive.open(info) as part:
            head = part.read(4096).lower()
            if b"<!doctype" in head or b"<!entity" in head:
                raise DomainError(_("The file contains XML that is not allowed (entities or a DTD)."),
                                  code="unsafe_xml", field="file")
            if name.startswith("xl/worksheets/") and not merged:
                merged = b"<mergecell" in head or b"<mergeCell" in part.read()
    return merged


def _xlsx_rows(content: bytes, *, header_only: bool):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    merged = _screen(open_zip(content))
    try:
        # Merged cells are only known to a fully loaded sheet; without them the read-only reader is
        # several times faster (it matters for 100,000 residents).
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=header_only or not merged, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError,
            IndexError, AttributeError):
        raise DomainError(_("The workbook cannot be read. Save it again as .xlsx and retry."),
                          code="unreadable_file", field="file") from None
    except Exception as exc:  # defusedxml's refusals and expat's errors have their own exception types
        if type(exc).__module__.startswith(("defusedxml", "xml")):
            raise DomainError(_("The workbook cannot be read. Save it again as .xlsx and retry."),
                              code="unreadable_file", field="file") from None
        raise
    sheet = book.worksheets[0]
    if header_only:
        for index, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield index, list(row)
            if any(v not in (None, "") for v in row):
                return
        return
    # A merged range shows its value in every cell it covers, as a reader of the printed sheet sees it.
    fills = {}
    for cells in list(sheet.merged_cells.ranges) if merged else []:
        value = sheet.cell(cells.min_row, cells.min_col).value
        for row in range(cells.min_row, cells.max_row + 1):
            for col in range(cells.min_col, cells.max_col + 1):
                fills[(row, col)] = value
    for index, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        values = list(row)
        if fills:
            for col in range(1, len(values) + 1):
                if (index, col) in fills:
                    values[col - 1] = fills[(index, col)]
        yield index, values


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK, what Excel saves in China)."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16", errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("gb18030", errors="replace")


def _csv_rows(content: bytes):
    text = decode_text(content)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)
    except csv.Error:
        raise DomainError(_("The CSV file cannot be read."), code="unreadable_file", field="file") from None


# --- cells ----------------------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u00a0\u3000]+")
_FULLWIDTH = str.maketrans("０１２３４５６７８９ＸｘＡ－", "0123456789XxA-")


def header_text(value) -> str:
    return _SPACES.sub("", cell_text(value)).strip("*＊:：")


def cell_text(value) -> str:
    """A cell as the text a person sees: 13800000001 (a number) and '13800000001 (text) read the same."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value).strip().translate(_FULLWIDTH)
    return text[1:] if text.startswith("'") else text


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def cell_date(value) -> datetime.date | None:
    """A date from an Excel date cell, an Excel serial number, or 2024-3-1 / 2024/03/01 / 2024年3月1日.
    Raises ValueError for anything else."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and 1 <= value < 2958466:
        from openpyxl.utils.datetime import from_excel

        return from_excel(value).date()
    text = cell_text(value)
    if text.isdigit() and len(text) == 8:
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    match = _DATE_RE.match(text)
    if not match:
        raise ValueError(text)
    return datetime.date(*(int(g) for g in match.groups()))


_DATETIME_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                          r"(?:[\sT]*(\d{1,2})\s*[:：时]\s*(\d{1,2})\s*分?"
                          r"(?:\s*[:：]?\s*(\d{1,2})(?:\.\d+)?\s*秒?)?)?$")


def cell_datetime(value) -> datetime.datetime | None:
    """A moment from an Excel date-time cell, an Excel serial number with its fraction of a day, or
    2026-11-20 14:30[:05] / 2026/11/20 14:30 / 2026年11月20日 14时30分 (a date alone is its midnight).
    Naive: the caller says which time zone it is in. Raises ValueError for anything else."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    if isinstance(value, (int, float)) and 1 <= value < 2958466:
        from openpyxl.utils.datetime import from_excel

        moment = from_excel(value)
        return moment if isinstance(moment, datetime.datetime) else datetime.datetime.combine(moment, datetime.time())
    match = _DATETIME_RE.match(cell_text(value))
    if not match:
        raise ValueError(value)
    return datetime.datetime(*(int(g) for g in match.groups() if g is not None))

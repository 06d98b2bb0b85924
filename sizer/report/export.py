"""The bill of materials as CSV and XLSX (one row per orderable line), written beside
report.html/pdf by ``sizer render`` through :meth:`sizer.report.Report.files`.

Both are built in memory from :func:`sizer.bom.export_rows`; the XLSX is reproducible
(fixed creation and modification times).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
import zipfile
from collections.abc import Sequence

from sizer.bom import EXPORT_COLUMNS

__all__ = ["bom_csv", "bom_xlsx"]

Row = Sequence[str | int | float]

#: a fixed timestamp so that the same input gives the same bytes
_EPOCH = _dt.datetime(2000, 1, 1)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _safe(v: str | int | float) -> str | int | float:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
        return "'" + v
    return v


def bom_csv(rows: Sequence[Row], columns: Sequence[str] = EXPORT_COLUMNS) -> bytes:
    """UTF-8 CSV with a header row."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_safe(v) for v in r])
    return buf.getvalue().encode("utf-8")


def bom_xlsx(rows: Sequence[Row], title: str, columns: Sequence[str] = EXPORT_COLUMNS) -> bytes:
    """One worksheet "BOM": a header row, then the rows (numbers stay numbers)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "BOM"
    ws.append(list(columns))
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append([_safe(v) for v in r])
    widths = (14, 48, 16, 22, 26, 8, 8, 10, 10, 12, 60, 14, 16)
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    ws.freeze_panes = "A2"
    wb.properties.title = title[:200]
    wb.properties.creator = "sizer"
    wb.properties.created = _EPOCH
    wb.properties.modified = _EPOCH
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip_times(buf.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """The same archive with every member dated 2000-01-01 (openpyxl stamps the time of
    writing), so the same input gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl sets "modified" to now
                body = _MODIFIED.sub(b"\\g<1>2000-01-01T00:00:00Z\\g<2>", body)
            dst.writestr(fixed, body)
    return out.getvalue()

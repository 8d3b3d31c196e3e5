"""Text cells for CSV files and workbooks that a spreadsheet shows and never runs as a formula.

Ids, names and the currency come from scenario and plan files that anyone may have written. A
cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets (CSV or formula injection), so such a text gets a leading
``'``, as the OWASP guidance on CSV injection recommends. Only text is changed: numbers are
written as numbers, negative ones included.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""


def text_cell(text: str) -> str:
    """Returns ``text`` as it goes into a spreadsheet cell: with a leading ``'`` if it could run.

    Returns:
        The text, unchanged unless it starts with one of ``FORMULA_STARTS``.
    """
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: object) -> str:
    """Returns one CSV cell: text neutralised by ``text_cell``, anything else as ``str`` gives it.

    ``None`` is an empty cell; a number, even a negative one, is written unchanged.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return text_cell(value)
    return str(value)


__all__ = ["FORMULA_STARTS", "csv_cell", "text_cell"]

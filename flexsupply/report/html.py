"""HTML built so that text is escaped unless it says it is markup, and inline scripts are hashed.

Every string that reaches the report comes from a scenario or a plan file, which anyone may have
written: a style id, a supplier name, the currency. ``html(template, *values)`` fills a template
with values that are escaped unless they are ``Markup`` (made by ``html`` itself, or trusted
text such as an SVG matplotlib drew and the page's own style sheet), so nothing can be inserted
raw by forgetting to escape it. ``script_hash`` gives the Content-Security-Policy source of an
inline script, so the page allows exactly its own scripts and no injected one.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape


class Markup(str):
    """Text that is HTML already and goes into a page as it is."""

    __slots__ = ()


def text(value: object) -> Markup:
    """Returns ``value`` as HTML text: ``&``, ``<``, ``>``, ``"`` and ``'`` escaped.

    Returns:
        The escaped text (``Markup`` passes through unchanged).
    """
    if isinstance(value, Markup):
        return value
    return Markup(escape(str(value), quote=True))


def html(template: str, *values: object) -> Markup:
    """Returns ``template`` with each ``{}`` replaced by the next value, escaped unless ``Markup``.

    The template is written in the code, never taken from data; values are anything (numbers
    are written with ``str``).

    Returns:
        The HTML.
    """
    return Markup(template.format(*(text(value) for value in values)))


def join(parts: list[Markup], separator: str = "") -> Markup:
    """Returns pieces of HTML put together (only ``Markup`` may be joined, not raw text).

    Raises:
        TypeError: a piece is not ``Markup``.
    """
    for part in parts:
        if not isinstance(part, Markup):
            raise TypeError(f"only Markup can be joined into HTML, got {type(part).__name__}")
    return Markup(separator.join(parts))


def script_hash(script: str) -> str:
    """Returns the CSP source allowing one inline script, e.g. ``'sha256-…'``.

    The hash is over the exact text between ``<script>`` and ``</script>``.
    """
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


__all__ = ["Markup", "html", "join", "script_hash", "text"]

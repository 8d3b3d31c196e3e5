"""The report page: every text from a plan escaped, only the page's own scripts allowed to run."""

from __future__ import annotations

import functools
import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from flexsupply.report import render_report
from flexsupply.report.html import Markup, html, join, script_hash, text
from flexsupply.report.page import CSP, ERROR_RECORDER, SELF_CHECK

PLAN_FILE = Path(__file__).parent / "data" / "report" / "spring-drop-plan.json"
HOSTILE = [
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "</style><script>alert(1)</script>",
    "&lt;b&gt;",
]


def _small_plan(replacements: dict[str, str]) -> dict[str, Any]:
    """The spring-drop plan cut to two styles, with names replaced wherever they occur."""
    data: dict[str, Any] = json.loads(PLAN_FILE.read_text(encoding="utf-8"))
    keep = list(data["inventory"]["expected"])[:2]
    data["inventory"]["expected"] = {p: data["inventory"]["expected"][p] for p in keep}
    data["inventory"]["by_scenario"] = {
        name: {p: table[p] for p in keep}
        for name, table in data["inventory"]["by_scenario"].items()
    }
    data["orders"] = [o for o in data["orders"] if o["product"] in keep]
    data["presale"] = [s for s in data["presale"] if s["product"] in keep]
    encoded = json.dumps(data)
    for old, new in replacements.items():
        assert f'"{old}"' in encoded, old
        encoded = encoded.replace(f'"{old}"', json.dumps(new))
    result: dict[str, Any] = json.loads(encoded)
    return result


def _scripts(page: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", page, flags=re.DOTALL)


class _Elements(HTMLParser):
    """Counts each element of a page and collects the names of their attributes."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.attributes: set[str] = set()
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.attributes.update(name for name, _ in attrs)


FIELDS = ["CNY", "spring-drop", "DRESS-01", "QR-HZ", "kept-1"]


@functools.cache
def _clean_elements() -> _Elements:
    return _Elements(render_report(_small_plan({})))


@pytest.mark.parametrize("shift", range(len(HOSTILE)))
def test_text_from_the_plan_is_escaped_everywhere(shift: int) -> None:
    """Every field gets a hostile text; over the shifts each field meets each hostile text once."""
    hostile = {field: HOSTILE[(shift + n) % len(HOSTILE)] for n, field in enumerate(FIELDS)}
    page = render_report(_small_plan({field: field + hostile[field] for field in FIELDS}))
    found, clean = _Elements(page), _clean_elements()

    assert found.tags == clean.tags
    assert found.attributes == clean.attributes
    assert not any(name.startswith("on") for name in found.attributes)
    assert _scripts(page) == [ERROR_RECORDER, SELF_CHECK]
    for field in FIELDS[:-1]:  # demand scenario names ("kept-1") are only drawn, in SVG text
        assert text(field + hostile[field]) in page


def test_content_security_policy_allows_exactly_the_pages_scripts() -> None:
    page = render_report(_small_plan({}))
    policy = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)[1])
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))

    assert policy == CSP
    assert "unsafe-inline" not in script_src
    assert sorted(script_src.split()[1:]) == sorted(script_hash(s) for s in _scripts(page))
    assert _scripts(page) == [ERROR_RECORDER, SELF_CHECK]


def test_script_hash_is_the_csp_sha256_of_the_exact_text() -> None:
    # The example of the CSP Level 3 specification: alert('Hello, world.');
    assert script_hash("alert('Hello, world.');") == (
        "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
    )


@pytest.mark.parametrize("style_id", ["$\\frac$", "$x_1$", "a$b", "\\$", "$$"])
def test_mathtext_in_an_id_is_drawn_as_written(style_id: str) -> None:
    page = render_report(_small_plan({"DRESS-01": style_id}))

    assert text(style_id) in page


def test_html_escapes_values_but_not_markup() -> None:
    cell = html("<td>{}</td>", "<b>&'\"")

    assert cell == "<td>&lt;b&gt;&amp;&#x27;&quot;</td>"
    assert html("<tr>{}</tr>", cell) == "<tr><td>&lt;b&gt;&amp;&#x27;&quot;</td></tr>"
    assert html("{} {}", 3, None) == "3 None"
    assert isinstance(cell, Markup)


def test_join_takes_only_markup() -> None:
    assert join([Markup("<a>"), html("{}", "<")]) == "<a>&lt;"
    with pytest.raises(TypeError, match="only Markup"):
        join([Markup("<a>"), "<b>"])  # type: ignore[list-item]

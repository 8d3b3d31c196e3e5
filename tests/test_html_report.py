from __future__ import annotations

import copy
import itertools
import json
import re
import shutil
import subprocess
import sys
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import flexsupply as fs
from flexsupply.cli import main
from flexsupply.report import CHART_IDS, parse_plan, render_report
from flexsupply.report.stats import (
    MAX_SCENARIO_ROWS,
    POOLED,
    inventory_bands,
    supplier_lanes,
    weighted_quantiles,
)

DATA = Path(__file__).parent / "data"
PLAN_FILE = DATA / "report" / "spring-drop-plan.json"
SMALL_SCENARIO = DATA / "cli" / "small.yaml"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@pytest.fixture(scope="module")
def plan_dict() -> dict[str, Any]:
    """The spring-drop plan (see tests/data/report/README.md for how it was made)."""
    data: dict[str, Any] = json.loads(PLAN_FILE.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def report_html(plan_dict: dict[str, Any]) -> str:
    return render_report(plan_dict)


class _Page(HTMLParser):
    """Collects ids, figures with their SVG count and text, and table rows of a report page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.figures: dict[str, dict[str, Any]] = {}
        self.kpis: dict[str, str] = {}
        self.order_rows = 0
        self.urls: list[str] = []
        self._figure: str | None = None
        self._kpi: str | None = None
        self._in_orders = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if attr.get("id"):
            self.ids.append(str(attr["id"]))
        for name in ("src", "href", "xlink:href", "action"):
            if attr.get(name):
                self.urls.append(str(attr[name]))
        if tag == "figure":
            self._figure = str(attr["id"])
            self.figures[self._figure] = {"svgs": 0, "text": []}
        elif tag == "svg" and self._figure:
            self.figures[self._figure]["svgs"] += 1
        elif tag == "div" and attr.get("data-kpi"):
            self._kpi = str(attr["data-kpi"])
            self.kpis[self._kpi] = ""
        elif tag == "table" and attr.get("id") == "orders-table":
            self._in_orders = True
        elif tag == "tr" and self._in_orders:
            self.order_rows += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self._figure = None
        elif tag == "div":
            self._kpi = None
        elif tag == "table":
            self._in_orders = False

    def handle_data(self, data: str) -> None:
        if self._figure:
            self.figures[self._figure]["text"].append(data)
        if self._kpi:
            self.kpis[self._kpi] += data


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _first_styles(data: dict[str, Any], count: int) -> dict[str, Any]:
    """Returns the plan dict cut down to its first ``count`` styles (small and quick to draw)."""
    cut = copy.deepcopy(data)
    keep = list(cut["inventory"]["expected"])[:count]
    inventory = cut["inventory"]
    inventory["expected"] = {p: inventory["expected"][p] for p in keep}
    inventory["by_scenario"] = {
        name: {p: table[p] for p in keep} for name, table in inventory["by_scenario"].items()
    }
    cut["orders"] = [o for o in cut["orders"] if o["product"] in keep]
    cut["presale"] = [s for s in cut["presale"] if s["product"] in keep]
    return cut


def _with_scenarios(data: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """Returns the plan dict cut down to the demand scenarios ``names`` (renormalised)."""
    cut = copy.deepcopy(data)
    kept = [s for s in cut["demand_scenarios"] if s["name"] in names]
    total = sum(s["probability"] for s in kept)
    cut["demand_scenarios"] = [{**s, "probability": s["probability"] / total} for s in kept]
    cut["inventory"]["by_scenario"] = {n: cut["inventory"]["by_scenario"][n] for n in names}
    cut["orders"] = [o for o in cut["orders"] if o["scenario"] in (None, *names)]
    cut["kpis"]["profit_by_scenario"] = {n: cut["kpis"]["profit_by_scenario"][n] for n in names}
    if cut.get("cash"):
        cut["cash"] = {n: cut["cash"][n] for n in names}
    return cut


# --- the page -------------------------------------------------------------------------------


def test_report_has_every_chart_kpi_and_order(report_html: str, plan_dict: dict[str, Any]) -> None:
    page = _parse(report_html)
    assert list(page.figures) == list(CHART_IDS)
    for chart_id in CHART_IDS:
        assert page.figures[chart_id]["svgs"] >= 1, chart_id
    inventory_text = set(page.figures["chart-inventory"]["text"])
    assert set(plan_dict["inventory"]["expected"]) <= inventory_text
    assert {o["supplier"] for o in plan_dict["orders"]} <= set(page.figures["chart-orders"]["text"])
    assert set(plan_dict["capacity"]) <= {
        t.split(" · ")[0] for t in page.figures["chart-capacity"]["text"]
    }
    # One header row plus one row per order.
    assert page.order_rows == len(plan_dict["orders"]) + 1
    kpis = plan_dict["kpis"]
    assert page.kpis["expected_profit"] == f"Expected profit{kpis['expected_profit']:,.0f} CNY"
    assert page.kpis["fill_rate"].endswith(f"{kpis['fill_rate']:.1%}")
    assert page.kpis["presale_on_time"].endswith(f"{kpis['presale_on_time_share']:.1%}")
    assert f"{kpis['leftover_units']:,.0f} units" in page.kpis["leftover"]
    assert page.kpis["cash_low_point"].endswith(f"{kpis['cash_low_point']:,.0f} CNY")
    assert page.kpis["solver_status"].endswith(f"{plan_dict['status']} / {plan_dict['gap']:.2%}")


def test_report_is_self_contained(report_html: str) -> None:
    page = _parse(report_html)
    external = [u for u in page.urls if not u.startswith("#")]
    assert external == []
    assert re.search(r"url\(\s*['\"]?(https?:|//)", report_html) is None
    assert "default-src &#x27;none&#x27;" in report_html


def test_report_ids_are_unique(report_html: str) -> None:
    ids = _parse(report_html).ids
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert duplicates == []


@pytest.mark.parametrize("names", [["kept-1", "kept-8", "kept-15"], ["kept-3"]])
def test_few_scenarios_get_a_colour_and_a_bar_each(
    plan_dict: dict[str, Any], names: list[str]
) -> None:
    data = _with_scenarios(_first_styles(plan_dict, 6), names)
    page = _parse(render_report(data))
    orders_text = " ".join(page.figures["chart-orders"]["text"])
    profit_text = " ".join(page.figures["chart-profit"]["text"])
    for name in names:
        assert f"{name} (p = " in profit_text
        if any(o["scenario"] == name for o in data["orders"]):
            assert f"reorder if demand is '{name}'" in orders_text


def test_many_scenarios_give_a_probability_histogram(plan_dict: dict[str, Any]) -> None:
    data = _first_styles(plan_dict, 3)
    names = [f"s{i}" for i in range(40)]
    base = data["inventory"]["by_scenario"]["kept-1"]
    data["demand_scenarios"] = [{"name": n, "probability": 1 / 40} for n in names]
    data["inventory"]["by_scenario"] = {n: base for n in names}
    data["orders"] = [o for o in data["orders"] if o["scenario"] is None]
    data["kpis"]["profit_by_scenario"] = {n: 1000.0 * i for i, n in enumerate(names)}
    data["cash"] = {n: data["cash"]["kept-1"] for n in names}
    page = _parse(render_report(data))
    assert "probability" in page.figures["chart-profit"]["text"]


def test_missing_sections_say_so_instead_of_drawing(plan_dict: dict[str, Any]) -> None:
    data = _first_styles(plan_dict, 3)
    data["presale"] = []
    data["orders"] = []
    page = _parse(render_report(data))
    assert page.figures["chart-presale"]["svgs"] == 0
    assert "No presale orders in this plan." in page.figures["chart-presale"]["text"]
    assert page.figures["chart-orders"]["svgs"] == 0
    assert page.figures["chart-inventory"]["svgs"] == 1


# --- the numbers behind the charts ----------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-1e4, 1e4, allow_nan=False), st.floats(0.01, 1.0, allow_nan=False)),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from([0.05, 0.1, 0.5, 0.9, 0.95]),
)
def test_weighted_quantile_is_numpys_inverted_cdf(
    pairs: list[tuple[float, float]], q: float
) -> None:
    values = np.array([v for v, _ in pairs])
    weights = np.array([w for _, w in pairs])
    try:
        expected = np.quantile(values, q, method="inverted_cdf", weights=weights / weights.sum())
    except TypeError:
        pytest.skip("numpy < 2.0 has no weighted quantile to compare with")
    got = weighted_quantiles(values[:, None], weights, (q,))[0, 0]
    assert got == pytest.approx(float(expected))


def test_inventory_band_holds_the_expectation(plan_dict: dict[str, Any]) -> None:
    bands = inventory_bands(parse_plan(plan_dict))
    assert bands.expected.shape == (30, 12)
    assert np.all(bands.low <= bands.high + 1e-9)
    # The expectation lies between the smallest and largest scenario, not always in the band.
    by_scenario = np.array(
        [list(t.values()) for t in plan_dict["inventory"]["by_scenario"].values()]
    )
    assert np.all(bands.expected >= by_scenario.min(axis=0) - 1e-3)
    assert np.all(bands.expected <= by_scenario.max(axis=0) + 1e-3)


@pytest.mark.parametrize("label_periods", [0.0, 1.0, 3.0])
def test_timeline_rows_never_overlap_and_keep_every_order(
    plan_dict: dict[str, Any], label_periods: float
) -> None:
    plan = parse_plan(plan_dict)
    lanes = supplier_lanes(plan, lambda text: label_periods)
    assert len(plan.scenario_names) > MAX_SCENARIO_ROWS
    assert sum(mark.count for lane in lanes for mark in lane.marks) == len(plan.orders)
    for lane in lanes:
        rows: dict[float, list[Any]] = {}
        for mark in lane.marks:
            rows.setdefault(mark.y, []).append(mark)
        for marks in rows.values():
            assert len({m.scenario is None for m in marks}) == 1, "shared and reorders mixed"
            assert all(m.scenario in (None, POOLED) for m in marks)
            marks.sort(key=lambda m: m.period)
            for before, after in itertools.pairwise(marks):
                assert after.period > before.arrival_period + label_periods


# --- the command ----------------------------------------------------------------------------


def test_cli_report_from_a_plan_file_is_byte_identical_to_the_library_one(
    tmp_path: Path, report_html: str
) -> None:
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", str(PLAN_FILE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {out}\n"
    assert out.read_text(encoding="utf-8") == report_html


def test_a_plan_and_its_dict_give_the_same_page(tmp_path: Path) -> None:
    import flexsupply
    from flexsupply.report import write_report

    plan = flexsupply.solve(flexsupply.load(SMALL_SCENARIO), "ortools", engine="highs")
    path = write_report(plan, tmp_path / "r.html")
    assert path.read_text(encoding="utf-8") == render_report(json.loads(plan.to_json()))


@pytest.mark.parametrize(
    "solver_args", [["--engine", "highs"], ["--solver", "pulp"], ["--solver", "fast"]]
)
def test_cli_solves_a_scenario_file_first(tmp_path: Path, solver_args: list[str]) -> None:
    out = tmp_path / "small.html"
    result = CliRunner().invoke(main, ["report", str(SMALL_SCENARIO), "-o", str(out), *solver_args])
    assert result.exit_code == 0, result.output
    page = _parse(out.read_text(encoding="utf-8"))
    # small.yaml has no cash section: the cash chart says so instead of drawing.
    assert all(page.figures[c]["svgs"] == 1 for c in CHART_IDS if c != "chart-cash")
    assert page.figures["chart-cash"]["svgs"] == 0
    assert any("not modelled" in t for t in page.figures["chart-cash"]["text"])
    assert any(t.startswith("DRESS-01  1→2") for t in page.figures["chart-presale"]["text"])


def test_cli_reads_the_plan_in_a_folder(tmp_path: Path, plan_dict: dict[str, Any]) -> None:
    data = _first_styles(plan_dict, 2)
    (tmp_path / "plan.json").write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", str(tmp_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == render_report(data)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "plan.json:1:2  not valid JSON"),
        ("[1, 2]", "expected a JSON object, got list"),
        ('{"scenario": "x"}', "plan.json  not a flexsupply plan (no 'status' or 'orders')"),
        (
            '{"scenario": "x", "status": "optimal", "orders": []}',
            "plan.json  currency: Field required",
        ),
    ],
)
def test_cli_names_the_problem_in_a_bad_plan_file(
    tmp_path: Path, content: str, expected: str
) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(bad), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 1
    assert expected in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "r.html").exists()


def test_cli_names_a_missing_field_by_its_path(tmp_path: Path, plan_dict: dict[str, Any]) -> None:
    data = copy.deepcopy(plan_dict)
    del data["orders"][3]["arrival_period"]
    bad = tmp_path / "plan.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}  orders[3].arrival_period: Field required" in result.output


def test_cli_says_when_the_report_cannot_be_written(
    tmp_path: Path, plan_dict: dict[str, Any]
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(_first_styles(plan_dict, 1)), encoding="utf-8")
    blocked = plan / "report.html"  # a plan file is no folder
    result = CliRunner().invoke(main, ["report", str(plan), "-o", str(blocked)])
    assert result.exit_code == 1
    assert f"Error: cannot write to {blocked}: {plan} is a file, not a folder" in result.output
    assert "Traceback" not in result.output


def test_cli_without_matplotlib_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = CliRunner().invoke(main, ["report", str(PLAN_FILE), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 1
    assert 'pip install "flexsupply[report]"' in result.output
    assert "Traceback" not in result.output


def test_cli_help_ends_with_an_example() -> None:
    result = CliRunner().invoke(main, ["report", "--help"])
    assert result.exit_code == 0
    assert "Example: flexsupply report" in result.output


# --- in a browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> str:
    """Path of a headless Chromium/Chrome; the browser tests skip, saying why, without one."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip(
        "no Chromium found (looked for " + ", ".join(BROWSERS) + "); install Debian's "
        "`chromium` package (.ci/run does when it can) to run the browser checks"
    )


def _run_browser(
    browser: str, page: Path, profile: Path, *args: str, width: int = 1200
) -> tuple[str, str]:
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        f"--window-size={width},3000",
        *args,
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


def _console_lines(stderr: str) -> list[str]:
    """Lines where Chromium logged a console message (any level) or an uncaught error."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def _self_check(dom: str) -> dict[str, Any]:
    """The JSON the page's last script writes into ``<body data-check>`` once loaded."""
    found = re.search(r'<body[^>]*\sdata-check="([^"]*)"', dom)
    assert found, "the page's self-check did not run: " + dom[:300]
    data: dict[str, Any] = json.loads(unescape(found.group(1)))
    return data


@pytest.fixture
def page_file(tmp_path: Path, report_html: str) -> Path:
    path = tmp_path / "report.html"
    path.write_text(report_html, encoding="utf-8")
    return path


def test_browser_draws_every_chart_without_console_errors(
    browser: str, page_file: Path, tmp_path: Path
) -> None:
    dom, stderr = _run_browser(browser, page_file, tmp_path / "profile", "--dump-dom")
    check = _self_check(dom)
    assert check["errors"] == []
    assert _console_lines(stderr) == []
    assert sorted(check["charts"]) == sorted(CHART_IDS)
    for chart_id, drawn in check["charts"].items():
        assert drawn["svgs"] >= 1, chart_id
        assert drawn["width"] > 500, (chart_id, drawn)
        assert drawn["height"] > 100, (chart_id, drawn)
        assert drawn["marks"] > 50, (chart_id, drawn)


@pytest.mark.parametrize(
    ("inject", "expected"),
    [
        ("<script>notDefined()</script>", "blocked by script-src"),
        ('<img src="https://example.invalid/logo.png" alt="">', "IMG"),
        ("<script>console.error('chart failed')</script>", "blocked by script-src"),
    ],
)
def test_browser_check_catches_errors(
    browser: str, page_file: Path, tmp_path: Path, inject: str, expected: str
) -> None:
    """The check above would fail on a broken page: a blocked script, a blocked load."""
    html = page_file.read_text(encoding="utf-8").replace("<main>", "<main>" + inject, 1)
    page_file.write_text(html, encoding="utf-8")
    dom, stderr = _run_browser(browser, page_file, tmp_path / "profile", "--dump-dom")
    errors = _self_check(dom)["errors"]
    assert any(expected in error for error in errors), errors
    if "script" in inject:
        assert _console_lines(stderr), stderr[-2000:]


def test_browser_check_catches_a_chart_that_is_not_drawn(
    browser: str, page_file: Path, tmp_path: Path
) -> None:
    html = page_file.read_text(encoding="utf-8").replace(
        "</style>", "#chart-profit svg{display:none}</style>", 1
    )
    page_file.write_text(html, encoding="utf-8")
    dom, _ = _run_browser(browser, page_file, tmp_path / "profile", "--dump-dom")
    assert _self_check(dom)["charts"]["chart-profit"]["width"] == 0


PHONE_WIDTH = 390
"""A phone's viewport width [CSS px] (iPhone 12 to 15)."""
MIN_CHART_TEXT_PX = 10.0
"""Smallest chart text a phone may show [CSS px]."""


def _phone_frame(page: Path, width: int) -> Path:
    """Returns a page showing ``page`` in an iframe ``width`` px wide, its self-check copied out.

    Headless Chromium lays out no window narrower than 500 px; an iframe has the viewport it is
    given. ``srcdoc`` keeps the report in the frame page's origin, so its check can be read.
    """
    frame = page.with_name("phone.html")
    source = escape(page.read_text(encoding="utf-8"), quote=True)
    frame.write_text(
        "<!DOCTYPE html><html><body style='margin:0'>"
        f"<iframe id=f width={width} height=2000 style='border:0' srcdoc=\"{source}\"></iframe>"
        "<script>document.getElementById('f').addEventListener('load',function(){"
        "var b=this.contentDocument.body;setTimeout(function(){document.body.setAttribute("
        "'data-check',b.getAttribute('data-check'));},0);});</script></body></html>",
        encoding="utf-8",
    )
    return frame


def test_on_a_phone_chart_text_is_readable_and_only_boxes_scroll_sideways(
    browser: str, page_file: Path, tmp_path: Path
) -> None:
    frame = _phone_frame(page_file, PHONE_WIDTH)
    dom, _ = _run_browser(browser, frame, tmp_path / "profile", "--dump-dom")
    check = _self_check(dom)

    assert check["viewport"] == PHONE_WIDTH
    assert check["pageWidth"] <= PHONE_WIDTH
    for chart_id, drawn in check["charts"].items():
        assert drawn["minFontPx"] >= MIN_CHART_TEXT_PX, (chart_id, drawn)


def test_on_a_wide_screen_charts_fit_the_page(
    browser: str, page_file: Path, tmp_path: Path
) -> None:
    dom, _ = _run_browser(browser, page_file, tmp_path / "profile", "--dump-dom", width=1440)
    check = _self_check(dom)

    assert check["pageWidth"] <= 1440
    assert all(drawn["width"] <= 1120 for drawn in check["charts"].values())


def test_browser_screenshot_shows_the_charts(browser: str, page_file: Path, tmp_path: Path) -> None:
    image_module = pytest.importorskip("PIL.Image", reason="Pillow comes with matplotlib")
    shot = tmp_path / "shot.png"
    _run_browser(browser, page_file, tmp_path / "profile", f"--screenshot={shot}")
    pixels = np.asarray(image_module.open(shot).convert("RGB"), dtype=int)
    assert pixels.shape[:2] == (3000, 1200)
    # The inventory lines (#2f6db5) and bands (#b7cde9) are painted, not only the text.
    for colour in ((0x2F, 0x6D, 0xB5), (0xB7, 0xCD, 0xE9)):
        share = np.mean(np.all(np.abs(pixels - colour) <= 8, axis=2))
        assert share > 0.001, (colour, share)


def test_material_panel_shows_what_each_material_buys_feeds_and_leaves() -> None:
    scenario = fs.loads(
        """
horizon: {periods: 2}
products:
  - {id: TEE, price: 20, unmet_demand: forbidden, bom: [{material: JERSEY, quantity: 0.5}]}
suppliers:
  - id: MILL
    terms: [{product: TEE, unit_cost: 6, lead_time_periods: 1}]
materials:
  - id: JERSEY
    suppliers: [{supplier: KNIT, unit_cost: 8, order_multiple: 30}]
demand:
  units: {TEE: [0, 100]}
"""
    )
    page = render_report(fs.solve(scenario))

    # 100 tees take 50 m, bought as two 30 m lots in period 1: 10 m left
    row = page.split('<table id="materials-table">', 1)[1].split("</tr>")[1]
    assert "<td>JERSEY</td>" in row
    assert "<td class=num>60 m</td>" in row
    assert "<td>TEE 50 m</td>" in row
    assert "<td class=num>10 m</td>" in row


def test_plan_without_materials_has_no_material_panel(report_html: str) -> None:
    assert "materials-table" not in report_html


def test_browser_runs_no_script_from_hostile_plan_text(
    browser: str, plan_dict: dict[str, Any], tmp_path: Path
) -> None:
    """Ids, names and the currency of a plan file cannot add a script or an element."""
    hostile = '<img src=x onerror="document.title=1"><script>document.title=2</script>'
    text = json.dumps(_first_styles(plan_dict, 3))
    for name in ("DRESS-01", "QR-HZ", "kept-1", "CNY", "spring-drop"):
        text = text.replace(f'"{name}"', json.dumps(f"{name}{hostile}"))
    page = tmp_path / "hostile.html"
    page.write_text(render_report(json.loads(text)), encoding="utf-8")

    dom, stderr = _run_browser(browser, page, tmp_path / "profile", "--dump-dom")

    assert _self_check(dom)["errors"] == []
    assert _console_lines(stderr) == []
    assert "<title>spring-drop&lt;img src=x" in dom
    assert "<img" not in dom


def test_cli_report_without_output_says_where_the_default_file_went(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(main, ["report", str(PLAN_FILE)])

    assert result.exit_code == 0, result.output
    written = tmp_path / "report.html"
    assert written.is_file()
    assert (
        result.output == f"Wrote {written.resolve()} (the default file; -o FILE writes elsewhere)\n"
    )

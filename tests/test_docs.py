"""The docs stay true to the code: the generated references are up to date and cover every
field and command, and every `flexsupply` command line in the docs parses against the CLI.
"""

from __future__ import annotations

import inspect
import itertools
import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from pydantic import BaseModel

import flexsupply as fs
from flexsupply import docs_gen
from flexsupply.cli import main
from flexsupply.model.terms import COST_KINDS
from flexsupply.plan import Kpis
from flexsupply.plan.summary import plan_summary
from flexsupply.scenario import Scenario
from flexsupply.scenario.overrides import load_with_overrides
from flexsupply.scenario.starter import template_text

ROOT = Path(__file__).parents[1]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
COMMAND_LINE = re.compile(r"^(?:\$ )?(?:\.venv/bin/)?flexsupply (.*)$")
SYNOPSIS = re.compile(r"\s\[[-A-Z]")
"""A synopsis line (``flexsupply schema [-o FILE]``, ``flexsupply [OPTIONS] COMMAND``) is no command."""


@pytest.mark.parametrize("page", sorted(docs_gen.PAGES))
def test_generated_reference_is_up_to_date(page: str) -> None:
    committed = (ROOT / page).read_text(encoding="utf-8")

    assert committed == docs_gen.PAGES[page](), (
        f"{page} is out of date with the code: run `make docs` "
        "(or `.venv/bin/python -m flexsupply.docs_gen`) and commit the result"
    )


def test_generation_is_deterministic() -> None:
    assert docs_gen.scenario_reference() == docs_gen.scenario_reference()
    assert docs_gen.cli_reference() == docs_gen.cli_reference()


def _schema_blocks(model: type[BaseModel], seen: set[type[BaseModel]]) -> None:
    """Adds ``model`` and every block nested in it to ``seen``."""
    if model in seen:
        return
    seen.add(model)
    for info in model.model_fields.values():
        for kind in _types_in(info.annotation):
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                _schema_blocks(kind, seen)


def _types_in(annotation: Any) -> list[Any]:
    args = getattr(annotation, "__args__", ())
    return [annotation, *(inner for arg in args for inner in _types_in(arg))]


def test_scenario_reference_has_a_section_and_a_row_per_field() -> None:
    page = docs_gen.scenario_reference()
    blocks: set[type[BaseModel]] = set()
    _schema_blocks(Scenario, blocks)

    assert len(blocks) > 20
    sections = page.split('<a id="')[1:]
    by_anchor = {section.split('"', 1)[0]: section for section in sections}
    assert len(by_anchor) == len(blocks)
    for block in blocks:
        section = by_anchor[block.__name__.lower()]
        for name in block.model_fields:
            assert f"\n| `{name}` | " in section, f"{block.__name__}.{name} has no row"


@pytest.mark.parametrize(
    ("field_row", "cells"),
    [
        ("`moq`", ["number in [0, 10^8]", "`0`", "units", "m[p,s]"]),
        ("`periods`", ["integer in [1, 520]", "**required**"]),
        ("`period_length`", ["one of `day`, `week`", "`week`"]),
        ("`cvar_alpha`", ["number in (0, 1)", "`0.95`", "probability", "α"]),
        ("`defect_rate`", ["number in [0, 1)", "`0`"]),
        (
            "`capacity`",
            ["number in [0, 10^10] or list of number in [0, 10^10]", "*omitted*", "", "K[s,t]"],
        ),
        ("`demand`", ["[Demand](#demand)", "`{units: {}}`"]),
        ("`products`", ["list of [Product](#product), non-empty", "**required**"]),
    ],
)
def test_scenario_reference_rows_give_type_default_unit_and_symbol(
    field_row: str, cells: list[str]
) -> None:
    row = next(
        line
        for line in docs_gen.scenario_reference().splitlines()
        if line.startswith(f"| {field_row} | ")
    )

    columns = [cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]]
    assert columns[1 : 1 + len(cells)] == cells
    assert "[currency" not in columns[-1]
    assert "Symbol:" not in columns[-1]


def test_cli_reference_covers_every_command_option_and_example() -> None:
    page = docs_gen.cli_reference()
    root = click.Context(main, info_name="flexsupply")

    for name in main.list_commands(root):
        command = main.get_command(root, name)
        assert command is not None
        section = page.split(f"## `flexsupply {name}`\n", 1)[1].split("\n## ", 1)[0]
        for param in command.params:
            if isinstance(param, click.Option):
                assert f"| `{param.opts[-1]}`" in section or f"`{param.opts[-1]}` |" in section
        example = (command.help or "").split("Example:", 1)[1].split("\n")[0].strip()
        assert f"```sh\n{example}\n```" in section
        assert "Sentinel" not in section


def test_check_mode_reports_a_stale_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert docs_gen.main([str(tmp_path)]) == 0
    assert docs_gen.main(["--check", str(tmp_path)]) == 0

    stale = tmp_path / docs_gen.CLI_PAGE
    stale.write_text(stale.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")

    assert docs_gen.main(["--check", str(tmp_path)]) == 1
    assert f"{docs_gen.CLI_PAGE} is out of date: run `make docs`" in capsys.readouterr().err


def _doc_command_lines() -> list[Any]:
    """Returns every `flexsupply ...` line inside a fenced block of the docs, as pytest params."""
    params = []
    for path in DOCS:
        fenced = False
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("```"):
                fenced = not fenced
                continue
            match = COMMAND_LINE.match(line.strip())
            if fenced and match and not SYNOPSIS.search(line):
                where = f"{path.relative_to(ROOT)}:{number}"
                params.append(pytest.param(match.group(1), id=where))
    return params


@pytest.mark.parametrize("line", _doc_command_lines())
def test_every_command_line_in_the_docs_parses(line: str) -> None:
    for part in line.split(" && "):
        args = shlex.split(part.removeprefix("flexsupply "), comments=True)
        cut = [i for i, arg in enumerate(args) if arg in ("|", ">", ">>", "2>", "2>&1")]
        args = args[: cut[0]] if cut else args
        args = args[1:] if args[:1] == ["--debug"] else args
        root = click.Context(main, info_name="flexsupply")
        command = main.get_command(root, args[0])

        assert command is not None, f"no command {args[0]!r}"
        if "--help" in args:
            with pytest.raises(click.exceptions.Exit):
                command.make_context(args[0], args[1:], parent=root)
        else:
            command.make_context(args[0], args[1:], parent=root)  # raises on a bad option


def test_kpis_costs_docstring_names_every_cost_kind() -> None:
    source = inspect.getsource(Kpis)
    docstring = source.split("costs: dict[str, float]", 1)[1].split('"""')[1]

    for kind in COST_KINDS:
        assert kind in docstring, f"Kpis.costs does not mention {kind!r} (flexsupply/plan/plan.py)"


def test_every_schema_symbol_is_defined_in_the_maths_docs() -> None:
    blocks: set[type[BaseModel]] = set()
    _schema_blocks(Scenario, blocks)
    maths = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    maths += (ROOT / "docs" / "demand-signals.md").read_text(encoding="utf-8")

    symbols = {
        f"{block.__name__}.{name}": symbol.group(1)
        for block in blocks
        for name, info in block.model_fields.items()
        if (
            symbol := re.search(
                r"Symbol: (.+?)\.(?=\s|$)", " ".join((info.description or "").split())
            )
        )
    }
    assert len(symbols) > 30
    missing = {field: symbol for field, symbol in symbols.items() if symbol not in maths}
    assert not missing, f"symbols of the schema docstrings not in docs/model.md: {missing}"


LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchors(page: Path) -> set[str]:
    """Returns the anchors of a Markdown page: explicit ids and GitHub's heading slugs."""
    text = page.read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
    for heading in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


@pytest.mark.parametrize("page", DOCS, ids=[str(page.relative_to(ROOT)) for page in DOCS])
def test_relative_links_resolve(page: Path) -> None:
    broken = []
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists() or (anchor and anchor not in _anchors(linked)):
            broken.append(target)

    assert not broken, f"{page.relative_to(ROOT)} links to missing files or anchors: {broken}"


def test_the_readmes_starter_figures_are_what_a_fresh_solve_prints() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- starter-summary: begin -->")[1].split("<!-- starter-summary: end -->")[
        0
    ]
    quoted = [line for line in block.splitlines() if line.startswith("  ")]
    plan = fs.solve(fs.loads(template_text("spring-drop"), source="spring-drop.yaml"))

    printed = plan_summary(plan).splitlines()

    assert len(quoted) >= 4
    assert all(line in printed for line in quoted), [q for q in quoted if q not in printed]


SET_PATH = re.compile(
    r"`((?:suppliers|products|presale|demand|cash|risk|horizon)\.[^`\s=]+=[^`\s]+)`"
)
"""A ``--set`` path written inline in the README, e.g. ``suppliers.QR-HZ.moq=50``."""


def _set_examples() -> list[Any]:
    """Returns every ``--set`` of the docs' command lines and the README's inline ``--set``
    paths, with the scenario each applies to (the command's file, else spring-drop).

    A command followed by the ``Error:`` it shows is an example of a mistake and left out.
    """
    spring = ROOT / "scenarios" / "spring-drop.yaml"
    params = []
    for path in DOCS:
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            after = next((n for n in lines[number:] if n.strip() and "```" not in n), "")
            match = COMMAND_LINE.match(line.strip())
            if not match or SYNOPSIS.search(line) or after.startswith("Error"):
                continue
            args = shlex.split(match.group(1), comments=True)
            files = [arg for arg in args if arg.endswith(".yaml")]
            scenario = ROOT / "scenarios" / Path(files[0]).name if files else spring
            options = [value for flag, value in itertools.pairwise(args) if flag == "--set"]
            for option in options:
                where = f"{path.relative_to(ROOT)}:{number} {option}"
                params.append(pytest.param(scenario, [option], id=where))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### What-ifs with `--set`", 1)[1].split("\n```", 1)[0]
    for line in section.splitlines():
        if together := SET_PATH.findall(line):  # the examples of one line apply together
            params.append(pytest.param(None, together, id=f"README.md {' '.join(together)}"))
    return params


@pytest.mark.parametrize(("scenario", "options"), _set_examples())
def test_every_set_example_in_the_docs_applies_to_a_bundled_scenario(
    scenario: Path | None, options: list[str]
) -> None:
    """A command's ``--set`` applies to its file; an inline one to some bundled scenario."""
    if scenario is not None and not scenario.exists():
        scenario = ROOT / "scenarios" / "spring-drop.yaml"  # my-season/ copies a bundled file
    candidates = [scenario] if scenario else sorted((ROOT / "scenarios").glob("*.yaml"))
    refusals = []
    for candidate in candidates:
        try:
            load_with_overrides(candidate, options)
            return
        except fs.ScenarioError as error:
            refusals.append(str(error))

    pytest.fail(f"--set {options} apply to no bundled scenario: {refusals}")


def test_the_readmes_bad_file_example_is_what_validate_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- bad-file: begin -->")[1].split("<!-- bad-file: end -->")[0]
    command, *expected = [line for line in block.splitlines() if line and "```" not in line]
    text = (ROOT / "scenarios" / "spring-drop.yaml").read_text(encoding="utf-8")
    text = text.replace("moq: 100", "moq: -5", 1)
    presale = text.index("\npresale:")
    text = text[:presale] + text[presale:].replace("product: DRESS-01", "product: DRES-01", 1)
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "spring.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(main, shlex.split(command.removeprefix("$ flexsupply ")))

    assert result.exit_code == 1
    assert result.output.splitlines() == expected

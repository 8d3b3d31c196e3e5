"""The YAML loader: every bad scenario gives a ScenarioError that points at file, line and field."""

from __future__ import annotations

from pathlib import Path

import located
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from located import Where, load_problems

import flexsupply as fs

SCENARIOS = Path(__file__).parent / "data" / "scenario"
MINIMAL = (SCENARIOS / "minimal.yaml").read_text(encoding="utf-8")


def loads_problems(text: str) -> list[Where]:
    return located.loads_problems(text, "spring.yaml")


def edited(old: str, new: str) -> str:
    """The minimal fixture with one passage replaced (it must occur exactly once)."""
    assert MINIMAL.count(old) == 1, old
    return MINIMAL.replace(old, new)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param(
            "wrong_type_price.yaml",
            (6, 12, "products[0].price", "expected a number, got 'abc'"),
            id="wrong-type",
        ),
        pytest.param(
            "negative_moq.yaml",
            (12, 14, "suppliers[0].terms[0].moq", "must be ≥ 0, got -5"),
            id="negative-quantity",
        ),
        pytest.param(
            "share_above_one.yaml",
            (7, 18, "products[0].return_rate", "must be ≤ 1, got 1.5"),
            id="share-above-one",
        ),
        pytest.param(
            "unknown_product_in_terms.yaml",
            (
                10,
                18,
                "suppliers[0].terms[0].product",
                "unknown product 'DRES-01' (did you mean 'DRESS-01'?)",
            ),
            id="unknown-id-in-terms",
        ),
        pytest.param(
            "unknown_product_in_terms_list.yaml",
            (
                10,
                30,
                "suppliers[0].terms[0].products[1]",
                "unknown product 'SHIRT-2' (did you mean 'SHIRT-02'?)",
            ),
            id="unknown-id-in-terms-list",
        ),
        pytest.param(
            "unknown_product_in_presale.yaml",
            (12, 14, "presale[0].product", "unknown product 'DRESS01' (did you mean 'DRESS-01'?)"),
            id="unknown-id-in-presale",
        ),
        pytest.param(
            "unknown_product_in_demand.yaml",
            (
                14,
                5,
                "demand.units.DRESS-10",
                "unknown product 'DRESS-10' (did you mean 'DRESS-01'?)",
            ),
            id="unknown-id-in-demand",
        ),
        pytest.param(
            "unknown_product_in_demand_scenario.yaml",
            (
                20,
                9,
                "demand.scenarios[1].units.DRESS-1",
                "unknown product 'DRESS-1' (did you mean 'DRESS-01'?)",
            ),
            id="unknown-id-in-demand-scenario",
        ),
        pytest.param(
            "missing_terms.yaml",
            (11, 5, "suppliers[1].terms", "required field is missing"),
            id="supplier-without-terms",
        ),
        pytest.param(
            "missing_periods.yaml",
            (2, 1, "horizon.periods", "required field is missing"),
            id="horizon-without-periods",
        ),
        pytest.param(
            "unclosed_bracket.yaml",
            (
                9,
                10,
                "",
                "not valid YAML: expected ',' or ']', but got ':' "
                "(while parsing a flow sequence at line 8)",
            ),
            id="unclosed-bracket",
        ),
        pytest.param(
            "duplicate_key.yaml",
            (
                12,
                9,
                "suppliers[0].terms[0].moq",
                "key appears twice in this block (the second would silently replace the first)",
            ),
            id="duplicate-key",
        ),
        pytest.param(
            "duplicate_product_id.yaml",
            (9, 9, "products[2].id", "id 'DRESS-01' is already used by products[0]"),
            id="duplicate-product-id",
        ),
        pytest.param(
            "capacity_wrong_length.yaml",
            (
                8,
                5,
                "suppliers[0].capacity",
                "capacity needs one value per period: expected 2, got 3",
            ),
            id="capacity-wrong-length",
        ),
        pytest.param(
            "demand_wrong_length.yaml",
            (
                13,
                5,
                "demand.units.DRESS-01",
                "demand needs one value per period: expected 2, got 1",
            ),
            id="demand-wrong-length",
        ),
        pytest.param(
            "probabilities_not_one.yaml",
            (12, 3, "demand.scenarios", "probabilities must add up to 1, got 0.9"),
            id="probabilities-not-one",
        ),
        pytest.param(
            "unknown_field.yaml",
            (11, 9, "suppliers[0].terms[0].mq", "unknown field 'mq' (did you mean 'moq'?)"),
            id="unknown-field",
        ),
        pytest.param(
            "unit_cost_and_cost_factor.yaml",
            (10, 9, "suppliers[0].terms[0]", "give exactly one of unit_cost or cost_factor"),
            id="unit-cost-and-cost-factor",
        ),
        pytest.param(
            "not_a_mapping.yaml",
            (2, 1, "", "expected a mapping of scenario blocks (horizon, products, suppliers, …)"),
            id="not-a-mapping",
        ),
    ],
)
def test_invalid_file_reports_its_problem_at_the_right_line(name: str, expected: Where) -> None:
    assert load_problems(SCENARIOS / name) == [expected]


def test_several_problems_in_one_file_are_all_reported_at_once() -> None:
    assert load_problems(SCENARIOS / "several_problems.yaml") == [
        (6, 12, "products[0].price", "expected a number, got 'abc'"),
        (7, 18, "products[0].return_rate", "must be ≤ 1, got 1.5"),
        (13, 14, "suppliers[0].terms[0].moq", "must be ≥ 0, got -5"),
        (14, 5, "suppliers[1].terms", "required field is missing"),
    ]


def test_several_cross_reference_problems_are_all_reported_at_once() -> None:
    assert load_problems(SCENARIOS / "several_reference_problems.yaml") == [
        (8, 5, "suppliers[0].capacity", "capacity needs one value per period: expected 2, got 1"),
        (
            10,
            18,
            "suppliers[0].terms[0].product",
            "unknown product 'DRES-01' (did you mean 'DRESS-01'?)",
        ),
        (14, 13, "presale[0].period", "must be within the horizon 1..2, got 3"),
    ]


def test_duplicate_key_is_reported_with_the_problems_of_the_value_kept() -> None:
    text = edited("        moq: 50\n", "        moq: 50\n        moq: -1\n")

    assert loads_problems(text) == [
        (
            19,
            9,
            "suppliers[0].terms[0].moq",
            "key appears twice in this block (the second would silently replace the first)",
        ),
        (19, 14, "suppliers[0].terms[0].moq", "must be ≥ 0, got -1"),
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "[500, 500, 400]",
            "[500, -1, 400]",
            [(14, 21, "suppliers[0].capacity[1]", "must be ≥ 0, got -1")],
            id="union-list-branch-only",
        ),
        pytest.param(
            "[500, 500, 400]",
            "{a: 1}",
            [(14, 5, "suppliers[0].capacity", "expected a number or a list, got {'a': 1}")],
            id="union-tags-not-in-path",
        ),
        pytest.param(
            "[500, 500, 400]",
            "abc",
            [(14, 15, "suppliers[0].capacity", "expected a number or a list, got 'abc'")],
            id="union-scalar",
        ),
        pytest.param(
            "  - id: GZ-SLOW",
            "  - id: HZ-QUICK",
            [(20, 9, "suppliers[1].id", "id 'HZ-QUICK' is already used by suppliers[0]")],
            id="duplicate-supplier-id",
        ),
        pytest.param(
            "  periods: 3\n",
            "",
            [(2, 9, "horizon", "expected a mapping, got an empty value")],
            id="empty-block",
        ),
        pytest.param(
            "  periods: 3\n",
            "  periods: 3\n  start_date: 2024-13-45\n",
            [(4, 15, "", "not valid YAML: cannot read '2024-13-45': month must be in 1..12")],
            id="impossible-date",
        ),
        pytest.param(
            "moq: 50",
            "moq: 0b_",
            [
                (
                    18,
                    14,
                    "",
                    "not valid YAML: cannot read '0b_': invalid literal for int() with base 2: ''",
                )
            ],
            id="unreadable-number",
        ),
        pytest.param(
            "  periods: 3\n",
            "  periods: 3\n  period_length: month\n",
            [(4, 18, "horizon.period_length", "expected one of 'day' or 'week', got 'month'")],
            id="unknown-enum-value",
        ),
        pytest.param(
            "  periods: 3\n",
            "  periods: 2.5\n",
            [(3, 12, "horizon.periods", "expected a whole number, got 2.5")],
            id="fraction-for-whole-number",
        ),
        pytest.param(
            "name: minimal\n",
            "name: minimal\ndemnad: {}\n",
            [(2, 1, "demnad", "unknown field 'demnad' (did you mean 'demand'?)")],
            id="unknown-top-level-block",
        ),
        pytest.param(
            "    SHIRT-02: [40, 40, 40]\n",
            "    12: [40, 40, 40]\n",
            [(34, 5, "demand.units[12]", "expected text, got 12")],
            id="number-as-product-id",
        ),
        pytest.param(
            "        moq: 50\n",
            "        1: 50\n",
            [(18, 9, "suppliers[0].terms[0]", "field names must be text, got 1")],
            id="number-as-field-name",
        ),
        pytest.param(
            "        moq: 50\n",
            "        yes: 50\n",
            [(18, 9, "suppliers[0].terms[0]", "field names must be text, got True")],
            id="boolean-as-field-name",
        ),
        pytest.param(
            "        moq: 50\n",
            "        ~: 50\n",
            [(18, 9, "suppliers[0].terms[0]", "field names must be text, got an empty value")],
            id="null-as-field-name",
        ),
        pytest.param(
            "    SHIRT-02: [40, 40, 40]\n",
            "    - [40, 40, 40]\n",
            [
                (
                    34,
                    5,
                    "",
                    "not valid YAML: expected <block end>, but found '-' "
                    "(while parsing a block mapping at line 33)",
                )
            ],
            id="list-item-in-mapping",
        ),
        pytest.param(
            "    price: 299\n",
            "\tprice: 299\n",
            [(6, 1, "", "not valid YAML: found character '\\t' that cannot start any token")],
            id="tab-indent",
        ),
    ],
)
def test_edited_minimal_file_reports_the_edit(old: str, new: str, expected: list[Where]) -> None:
    assert loads_problems(edited(old, new)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "",
            [(1, 1, "", "expected a mapping of scenario blocks (horizon, products, suppliers, …)")],
            id="empty",
        ),
        pytest.param(
            "# only a comment\n\nhello\n",
            [(3, 1, "", "expected a mapping of scenario blocks (horizon, products, suppliers, …)")],
            id="scalar",
        ),
        pytest.param(
            "a: 1\n---\nb: 2\n",
            [
                (
                    2,
                    1,
                    "",
                    "not valid YAML: expected a single document in the stream, "
                    "but found another document",
                )
            ],
            id="two-documents",
        ),
        pytest.param(
            "horizon:\n  periods: 3\x00\n",
            [
                (
                    2,
                    13,
                    "",
                    "not valid YAML: character '\\x00' is not allowed "
                    "(special characters are not allowed)",
                )
            ],
            id="nul-character",
        ),
        pytest.param(
            "a: " + "[" * 1000 + "]" * 1000 + "\n",
            [(1, 1, "", "not valid YAML: nested too deeply")],
            id="deep-nesting",
        ),
        pytest.param(
            "periods: !!python/name:os.system\n",
            [
                (
                    1,
                    10,
                    "",
                    "not valid YAML: could not determine a constructor for the tag "
                    "'tag:yaml.org,2002:python/name:os.system'",
                )
            ],
            id="python-tag-refused",
        ),
    ],
)
def test_text_that_is_not_a_scenario_mapping_is_reported(text: str, expected: list[Where]) -> None:
    assert loads_problems(text) == expected


def test_self_referencing_alias_is_reported_not_looped_on() -> None:
    text = MINIMAL + "extra: &loop [*loop]\n"

    assert loads_problems(text) == [(35, 1, "extra", "unknown field 'extra'")]


def test_merge_key_override_is_not_a_duplicate_key() -> None:
    text = edited("  periods: 3\n", "  <<: {periods: 2, currency: EUR}\n  periods: 3\n")

    scenario = fs.loads(text)

    assert (scenario.horizon.periods, scenario.horizon.currency) == (3, "EUR")


def test_windows_line_endings_give_the_same_lines() -> None:
    text = edited("price: 299", "price: abc").replace("\n", "\r\n")

    assert loads_problems(text) == [(6, 12, "products[0].price", "expected a number, got 'abc'")]


def test_missing_file_is_a_scenario_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"

    with pytest.raises(fs.ScenarioError) as caught:
        fs.load(path)

    assert str(caught.value) == (
        f"1 problem in {path}\n  {path}  cannot read file: No such file or directory"
    )


def test_file_that_is_not_utf8_is_a_scenario_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\u00e9\n".encode("latin-1"))

    assert load_problems(path) == [(0, 0, "", "file is not UTF-8 text")]


def test_error_text_names_the_file_then_one_line_per_problem() -> None:
    path = SCENARIOS / "several_problems.yaml"

    with pytest.raises(fs.ScenarioError) as caught:
        fs.load(path)

    assert str(caught.value).splitlines() == [
        f"4 problems in {path}",
        f"  {path}:6:12  products[0].price: expected a number, got 'abc'",
        f"  {path}:7:18  products[0].return_rate: must be ≤ 1, got 1.5",
        f"  {path}:13:14  suppliers[0].terms[0].moq: must be ≥ 0, got -5",
        f"  {path}:14:5  suppliers[1].terms: required field is missing",
    ]


def test_error_text_of_one_problem_says_problem_in_the_singular() -> None:
    with pytest.raises(fs.ScenarioError) as caught:
        fs.loads(edited("moq: 50", "moq: -5"), "spring.yaml")

    assert str(caught.value) == (
        "1 problem in spring.yaml\n"
        "  spring.yaml:18:14  suppliers[0].terms[0].moq: must be ≥ 0, got -5"
    )


@settings(max_examples=50, deadline=None)
@given(moq=st.floats(max_value=-1e-9, allow_nan=False, allow_infinity=False))
def test_any_negative_moq_is_reported_at_its_line(moq: float) -> None:
    text = edited("moq: 50", f"moq: {moq!r}")

    [(line, column, path, message)] = loads_problems(text)

    assert (line, column, path) == (18, 14, "suppliers[0].terms[0].moq")
    assert message.startswith("must be ≥ 0, got ")


def _scalar_spans(text: str) -> list[tuple[int, int]]:
    """Start and end offsets of every scalar (keys and values) in YAML ``text``."""
    spans: list[tuple[int, int]] = []
    stack = [yaml.compose(text, Loader=yaml.SafeLoader)]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            spans.append((node.start_mark.index, node.end_mark.index))
        elif isinstance(node, yaml.MappingNode):
            stack += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return sorted(spans)


MINIMAL_SCALARS = _scalar_spans(MINIMAL)


def _scenario_error_or_none(text: str) -> fs.ScenarioError | None:
    """Loads ``text``: the ScenarioError raised, or None when it loads; other errors propagate."""
    try:
        fs.loads(text, "fuzz.yaml")
    except fs.ScenarioError as error:
        return error
    return None


def _assert_readable(error: fs.ScenarioError | None) -> None:
    if error is None:
        return
    assert error.problems
    assert all(problem.line is not None for problem in error.problems)
    assert str(error).startswith(f"{len(error.problems)} problem")


@st.composite
def mutated_text(draw: st.DrawFn) -> str:
    """The minimal fixture with a few characters deleted and inserted at random."""
    text = MINIMAL
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()) and at < len(text):
            text = text[:at] + text[at + draw(st.integers(1, 5)) :]
        else:
            text = (
                text[:at]
                + draw(
                    st.text(st.sampled_from(" \t\n:-[]{},#&*!|>'\"%@`?0aé"), min_size=1, max_size=4)
                )
                + text[at:]
            )
    return text


@st.composite
def scalar_replaced_text(draw: st.DrawFn) -> str:
    """The minimal fixture with one scalar (key or value) replaced by random text."""
    start, end = draw(st.sampled_from(MINIMAL_SCALARS))
    return MINIMAL[:start] + draw(st.text(max_size=12)) + MINIMAL[end:]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_text())
def test_randomly_edited_text_loads_or_gives_a_scenario_error(text: str) -> None:
    _assert_readable(_scenario_error_or_none(text))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scalar_replaced_text())
def test_any_scalar_replaced_by_random_text_loads_or_gives_a_scenario_error(text: str) -> None:
    _assert_readable(_scenario_error_or_none(text))


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        pytest.param(
            "        moq: 50\n        order_multiple: 40\n        max_per_order: 70\n",
            "order_multiple 40 with moq 50 needs orders of at least 80, above max_per_order 70: "
            "no order size is allowed",
            id="moq-rounds-above-maximum",
        ),
        pytest.param(
            "        moq: 50\n        order_multiple: 100\n        max_per_order: 90\n",
            "order_multiple 100 is above max_per_order 90: no order size is allowed",
            id="multiple-above-maximum",
        ),
    ],
)
def test_order_multiple_that_leaves_no_order_size_names_the_fields(
    terms: str, message: str
) -> None:
    assert loads_problems(edited("        moq: 50\n", terms)) == [
        (19, 25, "suppliers[0].terms[0].order_multiple", message)
    ]


def test_price_list_must_have_one_price_per_period() -> None:
    text = edited("        unit_cost: 120\n", "        unit_cost: [120, 110]\n")

    assert loads_problems(text) == [
        (
            17,
            9,
            "suppliers[0].terms[0].unit_cost",
            "unit_cost needs one value per period: expected 3, got 2",
        )
    ]


@pytest.mark.parametrize("count", [500, 4000])
def test_locating_many_unknown_keys_reads_each_key_once(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flexsupply.scenario import yaml_io as scenario_yaml

    calls = 0
    spellings = scenario_yaml._key_spellings

    def counted(key: yaml.ScalarNode) -> list[object]:
        nonlocal calls
        calls += 1
        return spellings(key)

    monkeypatch.setattr(scenario_yaml, "_key_spellings", counted)
    text = MINIMAL + "".join(f"unknown_{i}: {i}\n" for i in range(count))

    found = loads_problems(text)

    assert len(found) == count
    assert found[-1][:3] == (MINIMAL.count("\n") + count, 1, f"unknown_{count - 1}")
    assert calls <= MINIMAL.count(":") + count + 10


def test_unknown_field_is_matched_against_the_fields_of_its_own_block() -> None:
    text = edited("    holding_cost: 1.5", "    holding_cots: 1.5")

    assert loads_problems(text) == [
        (
            7,
            5,
            "products[0].holding_cots",
            "unknown field 'holding_cots' (did you mean 'holding_cost'?)",
        )
    ]

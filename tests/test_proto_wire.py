"""Packed proto fields written from numpy equal what protobuf's own encoder writes."""

from __future__ import annotations

import numpy as np
import pytest
from google.protobuf.internal import encoder
from hypothesis import given
from hypothesis import strategies as st
from ortools.math_opt import model_pb2

from flexsupply.backends.proto_wire import fill, padded_varints, varint

INT64_MAX = 2**63 - 1


@given(st.integers(0, INT64_MAX))
def test_varint_matches_protobufs_encoder(value: int) -> None:
    assert varint(value) == encoder._VarintBytes(value)


@given(st.lists(st.integers(0, INT64_MAX), min_size=1, max_size=50))
def test_padded_varints_parse_back_to_the_values(values: list[int]) -> None:
    payload = padded_varints(np.array(values, dtype=np.int64))
    message = model_pb2.VariablesProto()

    message.MergeFromString(varint(1 << 3 | 2) + varint(len(payload)) + payload)

    assert list(message.ids) == values
    assert len(payload) == len(values) * len(encoder._VarintBytes(max(values)))


@pytest.mark.parametrize("encode", [varint, padded_varints])
def test_varints_refuse_negative_numbers(encode: object) -> None:
    with pytest.raises(ValueError, match="non-negative"):
        encode(-1) if encode is varint else encode([3, -1])  # type: ignore[operator]


@given(
    st.lists(
        st.tuples(st.floats(allow_nan=False), st.floats(allow_nan=False), st.booleans()),
        max_size=40,
    )
)
def test_filled_message_equals_the_one_built_field_by_field(
    columns: list[tuple[float, float, bool]],
) -> None:
    lower = [low for low, _, _ in columns]
    upper = [high for _, high, _ in columns]
    integer = [flag for _, _, flag in columns]
    expected = model_pb2.VariablesProto()
    expected.ids.extend(range(len(columns)))
    expected.lower_bounds.extend(lower)
    expected.upper_bounds.extend(upper)
    expected.integers.extend(integer)

    filled = model_pb2.VariablesProto()
    fill(
        filled,
        [
            ("ids", "ints", np.arange(len(columns))),
            ("lower_bounds", "doubles", np.array(lower, dtype=float)),
            ("upper_bounds", "doubles", np.array(upper, dtype=float)),
            ("integers", "ints", np.array(integer, dtype=np.int64)),
        ],
    )

    assert filled == expected

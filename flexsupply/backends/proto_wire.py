"""Protocol-buffer wire bytes of packed numeric fields, written from whole numpy arrays.

Filling a repeated proto field from Python (``field.extend(array.tolist())``) goes through one
Python object per number; at a million nonzeros that is most of the OR-Tools hand-off. The wire
format of a packed field is simple enough to write with numpy instead (protobuf encoding guide,
https://protobuf.dev/programming-guides/encoding/): a tag, the payload length, then the values
as little-endian doubles or as base-128 varints. The message then parses the bytes in C.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

_LENGTH_DELIMITED = 2
"""Wire type of packed repeated fields and of nested messages."""


def varints(values: npt.ArrayLike) -> bytes:
    """Returns non-negative integers as concatenated base-128 varints (7 bits a byte, low first).

    Raises:
        ValueError: a value is negative (proto int64 would need the ten-byte two's complement).
    """
    numbers = np.asarray(values, dtype=np.int64).ravel()
    if not numbers.size:
        return b""
    if int(numbers.min()) < 0:
        raise ValueError("varints() encodes non-negative integers only")
    width = int(np.asarray(numbers.max()).item()).bit_length()
    groups = max(1, -(-width // 7))
    shifts = np.uint64(7) * np.arange(groups, dtype=np.uint64)
    chunks = (numbers.astype(np.uint64)[:, None] >> shifts[None, :]) & np.uint64(0x7F)
    size = 1 + (numbers[:, None] >= (np.int64(1) << (7 * np.arange(1, groups)))[None, :]).sum(
        axis=1
    )
    position = np.arange(groups)[None, :]
    more = (position < size[:, None] - 1).astype(np.uint64) << np.uint64(7)
    wire = (chunks | more).astype(np.uint8)
    encoded: bytes = wire[position < size[:, None]].tobytes()
    return encoded


def _field(number: int, payload: bytes) -> bytes:
    """Returns a length-delimited field: tag, length, payload (empty when ``payload`` is)."""
    if not payload:
        return b""
    return varints([number << 3 | _LENGTH_DELIMITED, len(payload)]) + payload


def packed_ints(number: int, values: npt.ArrayLike) -> bytes:
    """Returns field ``number`` as a packed repeated int64/bool of non-negative ``values``."""
    return _field(number, varints(values))


def packed_doubles(number: int, values: npt.ArrayLike) -> bytes:
    """Returns field ``number`` as a packed repeated double."""
    return _field(number, np.ascontiguousarray(values, dtype="<f8").tobytes())


def field_number(message: Any, name: str) -> int:
    """Returns the field number of ``name`` in the proto message (class or instance)."""
    number: int = message.DESCRIPTOR.fields_by_name[name].number
    return number


def fill(message: Any, fields: Sequence[tuple[str, str, npt.ArrayLike]]) -> None:
    """Merges packed fields into ``message``: each ``(name, "ints" | "doubles", values)``."""
    encode = {"ints": packed_ints, "doubles": packed_doubles}
    message.MergeFromString(
        b"".join(encode[kind](field_number(message, name), values) for name, kind, values in fields)
    )

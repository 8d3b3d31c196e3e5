"""The libyaml fast path of the YAML reader gives what the Python parser gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from flexsupply.scenario import reader

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(
    [
        *ROOT.glob("scenarios/*.yaml"),
        *ROOT.glob("flexsupply/scenario/templates/*.yaml"),
        *ROOT.glob("tests/data/**/*.yaml"),
    ]
)


def marks(node: yaml.Node, out: list[Any]) -> list[Any]:
    out.append((node.start_mark.line, node.start_mark.column, node.tag))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            marks(key, out)
            marks(value, out)
    elif isinstance(node, yaml.SequenceNode):
        for value in node.value:
            marks(value, out)
    return out


@pytest.mark.skipif(reader._FAST_BASE is None, reason="PyYAML built without libyaml")
@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_fast_and_python_parsers_agree_on_data_and_positions(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fast = reader._parse_fast(text, str(path))
    loader = reader.Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError:
        assert fast is None
        return
    finally:
        loader.dispose()

    assert fast is not None
    assert fast[1] == data
    if root is not None:
        assert fast[0] is not None
        assert marks(fast[0], []) == marks(root, [])

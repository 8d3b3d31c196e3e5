"""Ctrl-C: the solve stops like at a time limit, keeps its best plan, and the command exits 130."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from flexsupply.backends import interrupt
from flexsupply.solve.deadline import Deadline, TimeLimitReached

DOUBLE11 = Path(__file__).parent.parent / "scenarios" / "double11-presale.yaml"


def _wait_for(condition: threading.Event, seconds: float = 5.0) -> bool:
    return condition.wait(seconds)


def test_first_ctrl_c_asks_engines_to_stop_and_ends_the_deadline() -> None:
    stopped = threading.Event()

    with interrupt.interruptible(), interrupt.on_interrupt(stopped.set):
        assert not interrupt.requested()
        os.kill(os.getpid(), signal.SIGINT)
        assert _wait_for(stopped)
        assert interrupt.requested()
        deadline = Deadline(None)
        assert deadline.left() == 0.0
        with pytest.raises(TimeLimitReached, match="interrupted before the engine"):
            deadline.check("the engine")

    assert not interrupt.requested()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_second_ctrl_c_stops_at_once() -> None:
    with pytest.raises(KeyboardInterrupt), interrupt.interruptible():  # noqa: PT012
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)


def test_an_engine_registered_after_ctrl_c_is_stopped_at_once() -> None:
    stopped = threading.Event()

    with interrupt.interruptible():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.2)
        with interrupt.on_interrupt(stopped.set):
            assert stopped.is_set()


def test_ctrl_c_during_solve_keeps_the_best_plan_and_exits_130(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-c",
        "from flexsupply.cli import main; main()",
        "solve",
        str(DOUBLE11),
        "--time-limit",
        "120",
        "--out-dir",
        str(tmp_path),
    ]
    # double11-presale runs for about a minute; dual-sourcing (4.5 s) could end before Ctrl-C.
    # Ctrl-C comes once the solve has a plan (the progress line shows an incumbent), however
    # long the warm start takes on a busy machine: Ctrl-C stops its dive too, and before the
    # first plan there is none to keep.
    solving = subprocess.Popen(
        [*command, "--log"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert solving.stderr is not None
    lines = iter(solving.stderr.readline, "")
    assert any("incumbent" in line for line in lines), "the solve ended before its first plan"
    solving.send_signal(signal.SIGINT)
    out, err = solving.communicate(timeout=180)

    assert solving.returncode == 130, err[-2000:]
    assert out.startswith("double11-presale: interrupted (")
    assert "Interrupted: the best plan found so far is shown above." in err
    assert "Traceback" not in err
    assert json.loads((tmp_path / "plan.json").read_text())["status"] == "interrupted"

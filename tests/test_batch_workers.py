"""Batch workers: each stores its own plan, and none outlives the batch that started it."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flexsupply.batch import BatchError, Variant, run_batch, sweep_variants, variant_folder, workers
from flexsupply.batch.store import FINGERPRINT_FILE, PLAN_FILE
from flexsupply.batch.workers import Job, solve_job
from flexsupply.scenario import load
from flexsupply.solve.settings import SolveSettings

SMALL = Path(__file__).parent / "data" / "cli" / "small.yaml"
SCRIPT = """
import sys
from flexsupply.batch import run_batch, sweep_variants

if __name__ == "__main__":
    variants = sweep_variants(["products.DRESS-01.price=[90, 100, 110, 120, 130, 140, 150]"])
    run_batch(sys.argv[1], variants, "ortools", workers=2, out_dir=sys.argv[2])
"""


def test_a_worker_stores_the_plan_it_solved(tmp_path: Path) -> None:
    variant = Variant("price=90", ("products.DRESS-01.price=90",))
    job = Job(variant, load(SMALL), SolveSettings(), "f" * 64, tmp_path)

    status, plan, _, _ = solve_job(job)

    assert status == "optimal"
    place = tmp_path / variant_folder(variant)
    assert plan is not None
    assert json.loads((place / PLAN_FILE).read_text()) == {
        key: value for key, value in plan.items() if key != "run"
    }
    assert json.loads((place / FINGERPRINT_FILE).read_text())["fingerprint"] == "f" * 64


def test_a_worker_whose_batch_stopped_takes_no_new_variant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "_orphaned", type(workers._orphaned)())
    workers._orphaned.set()
    job = Job(Variant("base"), load(SMALL), SolveSettings(), "0" * 64, tmp_path)

    status, plan, message, _ = solve_job(job)

    assert (status, plan) == ("error", None)
    assert "has stopped" in message
    assert not any(tmp_path.iterdir())


def test_killing_the_batch_ends_its_workers_and_keeps_their_plans(tmp_path: Path) -> None:
    psutil = pytest.importorskip("psutil")
    script = tmp_path / "batch_script.py"
    script.write_text(SCRIPT, encoding="utf-8")
    out = tmp_path / "out"
    parent = subprocess.Popen(
        [sys.executable, str(script), str(SMALL), str(out)],
        stderr=subprocess.DEVNULL,
    )
    try:
        started = time.monotonic()
        while not list(out.glob(f"*/{PLAN_FILE}")) and time.monotonic() - started < 120:
            time.sleep(0.05)
        children = psutil.Process(parent.pid).children(recursive=True)
        assert len(children) >= 3  # two workers and the resource tracker
    finally:
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()

    _, alive = psutil.wait_procs(children, timeout=60)

    assert [child.pid for child in alive] == []
    stored = sorted(path.parent.name for path in out.glob(f"*/{PLAN_FILE}"))
    assert stored == sorted(path.parent.name for path in out.glob(f"*/{FINGERPRINT_FILE}"))
    variants = sweep_variants(["products.DRESS-01.price=[90, 100, 110, 120, 130, 140, 150]"])
    again = run_batch(SMALL, variants, "ortools", workers=1, out_dir=out, resume=True)
    assert sum(result.reused for result in again) == len(stored) >= 1
    assert all(result.status == "optimal" for result in again)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def not_dask() -> Iterator[int]:
    """A local TCP server that answers every connection with an HTTP page, not Dask."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = server.accept()
                connection.sendall(b"HTTP/1.1 200 OK\r\n\r\n" + b"\xff" * 64)
                connection.close()

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("nonsense", "expected a scheduler address such as tcp://10.0.0.5:8786"),
        ("http://127.0.0.1:8786", "expected a scheduler address"),
        ("tcp://127.0.0.1:port", "expected a scheduler address"),
        ("unreachable", "cannot reach the Dask scheduler at 127.0.0.1:"),
        ("not-dask", "does not answer as a Dask scheduler"),
    ],
)
def test_a_bad_dask_address_is_a_batch_error_within_seconds(
    address: str, message: str, not_dask: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setattr(workers, "DASK_CONNECT_SECONDS", 3.0)
    if address == "unreachable":
        address = f"127.0.0.1:{_free_port()}"
    elif address == "not-dask":
        address = f"tcp://127.0.0.1:{not_dask}"
    started = time.monotonic()

    with pytest.raises(BatchError, match=re.escape(message)):
        run_batch(SMALL, [Variant("base")], executor="dask", scheduler=address)

    assert time.monotonic() - started < 15


def test_ctrl_c_stops_the_batch_with_exit_130_and_keeps_every_finished_plan(
    tmp_path: Path,
) -> None:
    psutil = pytest.importorskip("psutil")
    sweep = "products.DRESS-01.price=[90, 100, 110, 120, 130, 140, 150]"
    out = tmp_path / "out"
    command = [sys.executable, "-c", "from flexsupply.cli import main; main()", "batch"]
    command += [str(SMALL), "--sweep", sweep, "--workers", "2", "--out-dir", str(out)]
    batch = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = time.monotonic()
    while not list(out.glob(f"*/{PLAN_FILE}")) and time.monotonic() - started < 120:
        time.sleep(0.05)
    children = psutil.Process(batch.pid).children(recursive=True)
    batch.send_signal(signal.SIGINT)
    _, err = batch.communicate(timeout=120)

    assert batch.returncode == 130, err[-2000:]
    assert "Interrupted." in err
    assert "Traceback" not in err
    _, alive = psutil.wait_procs(children, timeout=60)
    assert [child.pid for child in alive] == []
    again = run_batch(SMALL, sweep_variants([sweep]), workers=1, out_dir=out, resume=True)
    assert sum(result.reused for result in again) >= 1

"""Embedded mode is one process: a second one on the same DATA_DIR is refused at start-up."""

import subprocess
import sys

import pytest

from lumikb_app.services.platform.lifecycle import SecondProcessRefused, open_backends
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.integration

HOLDER = """
import sys, time
from lumikb_app.services.platform.lifecycle import open_backends
open_backends()
print("open", flush=True)
time.sleep(60)
"""


def _wait_for_line(process: subprocess.Popen, wanted: str) -> bool:
    """True once the process prints `wanted`; the job scheduler's log lines may come first."""
    return any(line.strip() == wanted for line in process.stdout)


def test_second_process_on_the_same_data_dir_is_refused(data_dir):
    env = {"PATH": "/usr/bin:/bin", "DATA_DIR": str(data_dir)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER], env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert _wait_for_line(holder, "open")
        with pytest.raises(SecondProcessRefused) as refused:
            open_backends()
        message = str(refused.value)
        assert "LumiKB cannot start" in message and "one process" in message
    finally:
        holder.kill()
        holder.wait()  # reaped: its lock on the store is released with it
    open_backends()  # once the first process is gone, the store opens again

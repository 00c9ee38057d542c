"""Run `python -m lumikb_app …` as `make` does, on its own data directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_ROOT


def run_cli(
    data_dir: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The CLI's outcome (stdout, stderr, return code); it does not raise on failure."""
    return subprocess.run(
        [sys.executable, "-m", "lumikb_app", *args],
        env={"PATH": "/usr/bin:/bin", "DATA_DIR": str(data_dir)},
        cwd=PROJECT_ROOT,
        input=stdin,
        capture_output=True,
        text=True,
    )


def migrated(data_dir: Path) -> Path:
    """`data_dir` with its database created, as after `make install`."""
    done = run_cli(data_dir, "migrate")
    assert done.returncode == 0, done.stderr
    return data_dir

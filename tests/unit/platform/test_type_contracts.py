"""The type checker (`make lint`) catches an adapter whose methods drift from its port.

container.py assigns every concrete adapter to a port-typed attribute, and mypy checks
container.py, so a drift fails the lint. Here the same mechanism runs on a small module
written to a temp dir: a blob store whose `get` takes an int key against the BlobStore
Protocol's str, assigned to a BlobStore-typed variable.
"""

import subprocess
import sys
import tomllib

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.unit

ADAPTER = """\
from collections.abc import Iterator
from typing import BinaryIO

from lumikb_app.ports.blobs import BlobStore


class TempBlobStore:
    embedded = True

    def put(
        self,
        key: str,
        stream: BinaryIO,
        *,
        length: int | None = None,
        content_type: str = "application/octet-stream",
    ) -> int:
        return 0

    def get(self, key: {key_type}, *, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        yield b""

    def delete(self, key: str) -> None:
        pass

    def exists(self, key: str) -> bool:
        return False

    def size(self, key: str) -> int:
        return 0

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        yield ""

    def health(self) -> None:
        pass


store: BlobStore = TempBlobStore()
"""


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("mypy-cache")


def _mypy(path, cache_dir) -> subprocess.CompletedProcess[str]:
    """mypy with the project's settings on just `path` (and what it imports)."""
    command = [sys.executable, "-m", "mypy", "--config-file", "pyproject.toml"]
    command += ["--cache-dir", str(cache_dir), "--no-error-summary", str(path)]
    return subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)


def test_an_adapter_matching_its_port_passes(tmp_path, mypy_cache):
    module = tmp_path / "matching_adapter.py"
    module.write_text(ADAPTER.replace("{key_type}", "str"))
    done = _mypy(module, mypy_cache)
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_adapter_drifting_from_its_port_fails(tmp_path, mypy_cache):
    module = tmp_path / "drifting_adapter.py"
    module.write_text(ADAPTER.replace("{key_type}", "int"))
    done = _mypy(module, mypy_cache)
    assert done.returncode == 1, done.stdout + done.stderr
    assert 'variable has type "BlobStore"' in done.stdout
    assert "[assignment]" in done.stdout
    assert "def get(self, key: int" in done.stdout


def test_mypy_checks_the_container_ports_and_adapters():
    """The lint only proves the real adapters if mypy is told to check where they meet."""
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    for path in ("lumikb_app/container.py", "lumikb_app/ports", "lumikb_app/adapters"):
        assert path in config["files"]
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    for target in ("lint:", "test:"):
        recipe = makefile.split(f"\n{target}", 1)[1].split("\n\n", 1)[0]
        assert "mypy" in recipe, f"make {target[:-1]} does not run mypy"

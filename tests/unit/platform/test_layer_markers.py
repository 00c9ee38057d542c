"""`make test` runs the suite by layer marker: a test its directory does not place in exactly
one layer must stop the collection instead of silently never running."""

import pytest

pytestmark = pytest.mark.unit
pytest_plugins = ["pytester"]

CONFTEST = """
from pathlib import Path

import pytest

from tests.layer_markers import refuse_wrong_layers


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    refuse_wrong_layers(items, Path(__file__).parent)
"""
INI = """[pytest]
markers =
    unit
    integration
    e2e
addopts = --strict-markers
asyncio_default_fixture_loop_scope = function
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(INI)
    pytester.makeconftest(CONFTEST)
    for layer in ("unit", "integration", "e2e"):
        pytester.mkdir(layer)
    return pytester


def _write(suite: pytest.Pytester, path: str, body: str) -> None:
    (suite.path / path).write_text("import pytest\n" + body)


def test_an_unmarked_test_runs_in_the_layer_its_directory_names(suite):
    _write(suite, "unit/test_plain.py", "def test_plain():\n    pass\n")
    _write(suite, "e2e/test_journey.py", "def test_journey():\n    pass\n")

    unit = suite.runpytest("-m", "unit", "-v")
    e2e = suite.runpytest("-m", "e2e", "-v")

    unit.assert_outcomes(passed=1, deselected=1)
    unit.stdout.fnmatch_lines(["*unit/test_plain.py::test_plain PASSED*"])
    e2e.assert_outcomes(passed=1, deselected=1)
    e2e.stdout.fnmatch_lines(["*e2e/test_journey.py::test_journey PASSED*"])


def test_a_marker_that_contradicts_the_directory_stops_the_collection(suite):
    _write(suite, "unit/test_ok.py", "def test_ok():\n    pass\n")
    _write(
        suite,
        "unit/test_misplaced.py",
        "pytestmark = pytest.mark.integration\n\ndef test_misplaced():\n    pass\n",
    )

    result = suite.runpytest("-m", "unit")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*unit/test_misplaced.py::test_misplaced (marked integration in tests/unit)*"]
    )


def test_two_layers_on_one_test_stop_the_collection(suite):
    _write(
        suite,
        "integration/test_both.py",
        "pytestmark = [pytest.mark.integration, pytest.mark.e2e]\n\ndef test_both():\n    pass\n",
    )

    result = suite.runpytest("-m", "integration")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_both.py::test_both (marked integration and e2e)*"])


def test_outside_the_layer_directories_a_test_needs_its_own_marker(suite):
    _write(suite, "test_loose.py", "def test_loose():\n    pass\n")
    _write(
        suite,
        "test_declared.py",
        "pytestmark = pytest.mark.unit\n\ndef test_declared():\n    pass\n",
    )

    result = suite.runpytest("-m", "unit")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_loose.py::test_loose (marked with no layer)*"])
    assert "test_declared" not in result.stderr.str()

"""JOB_RETRY_SECONDS: the waits before a failed job's retries, given to the job queue; anything
but 1 to 10 whole numbers of seconds is refused at start-up with a message naming the variable."""

import pytest

from lumikb_app.container import get_container, reset_container
from lumikb_app.settings import Settings, SettingsError, load_settings

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("value", ["", "0", "5,x", "1.5", ",".join(["1"] * 11), "-3", "90000"])
def test_a_bad_retry_list_is_refused_naming_the_variable(value):
    with pytest.raises(SettingsError, match="JOB_RETRY_SECONDS: JOB_RETRY_SECONDS must list"):
        load_settings(_env_file=None, JOB_RETRY_SECONDS=value)


def test_the_job_queue_waits_as_the_setting_says(data_dir, monkeypatch):
    monkeypatch.setenv("JOB_RETRY_SECONDS", " 1, 2 ,3")
    reset_container()
    assert Settings(_env_file=None).job_retry_intervals == [1, 2, 3]
    assert get_container().jobs.retry_intervals == [1, 2, 3]

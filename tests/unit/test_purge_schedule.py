"""The scaled stack's purge service: its interval setting and the two commands it runs."""

import pytest

from launcher import purge_schedule


def test_the_interval_defaults_to_a_day_and_bad_values_stop_with_a_clear_message():
    assert purge_schedule.interval_hours({}) == 24
    assert purge_schedule.interval_hours({"PURGE_INTERVAL_HOURS": "6"}) == 6
    for bad in ("0", "-1", "never", "1000"):
        with pytest.raises(SystemExit, match="PURGE_INTERVAL_HOURS must be a number of hours"):
            purge_schedule.interval_hours({"PURGE_INTERVAL_HOURS": bad})


def test_both_purges_are_run_conversations_and_the_intake():
    joined = [" ".join(command[1:]) for command in purge_schedule.commands()]
    assert joined == ["-m intake.conversation_purge", "--app intake purge"]

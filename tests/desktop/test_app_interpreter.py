"""The interpreter settings the application starts with (desktop.app.configure_interpreter)."""

from __future__ import annotations

import gc
import sys


def test_start_up_objects_are_frozen_out_of_the_collector_and_the_ui_switches_sooner() -> None:
    from desktop.app import UI_SWITCH_INTERVAL, configure_interpreter

    interval = sys.getswitchinterval()
    try:
        configure_interpreter()
        assert sys.getswitchinterval() == UI_SWITCH_INTERVAL
        # Every module loaded so far is frozen: a full collection no longer walks it.
        assert gc.get_freeze_count() > 10_000
        assert gc.get_count()[2] == 0
    finally:
        sys.setswitchinterval(interval)

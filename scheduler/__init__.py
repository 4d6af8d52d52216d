"""Reminder and escalation jobs (APScheduler). The jobs themselves arrive with issue #4.

`Clock` is here from the start so that every time-dependent rule takes "now" from an
injected object and tests can move through weeks in milliseconds.
"""

from scheduler.clock import Clock, SystemClock

__all__ = ["Clock", "SystemClock"]

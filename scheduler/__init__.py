"""Reminder, escalation and delivery jobs (APScheduler): deadlines of activities (§9.3),
programme ends (§10), the curator's digest and the yearly list (§6.4.2).

Every time-dependent rule takes "now" from an injected `Clock`, so tests move through weeks
in milliseconds.
"""

from scheduler.clock import Clock, SystemClock

__all__ = ["Clock", "SystemClock"]

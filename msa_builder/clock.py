"""What day it is, asked in one place.

Clause versions are chosen as of today (or the agreement's effective date when that is later),
approvals are dated today and a release takes this month's calendar version; tests move the day
by replacing this one function.
"""

from __future__ import annotations

from datetime import date


def today() -> date:
    """The local calendar date."""
    return date.today()

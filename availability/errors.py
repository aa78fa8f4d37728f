"""Domain errors of the availability engine.

Every error carries a stable ``code`` that the API turns into a 422 problem JSON::

    AvailabilityError (ValueError)
    ├── InvalidTimezone          invalid_timezone
    ├── InvalidRange             invalid_range            (not "HH:MM", > 24:00, not a range)
    ├── RangeNotOn5Minutes       range_not_on_5_minutes
    ├── RangeOutOfOrder          range_out_of_order       (start >= end)
    ├── InvalidWeekday           invalid_weekday          (not 0..6, Monday = 0)
    ├── InvalidPolicy            invalid_policy           (negative buffer, notice, cap, ...)
    ├── NaiveDatetime            naive_datetime           (an instant without an offset)
    └── InvalidQueryRange        invalid_query_range      (end <= start, or longer than allowed)
"""

from __future__ import annotations


class AvailabilityError(ValueError):
    code = "availability_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidTimezone(AvailabilityError):
    code = "invalid_timezone"


class InvalidRange(AvailabilityError):
    code = "invalid_range"


class RangeNotOn5Minutes(AvailabilityError):
    code = "range_not_on_5_minutes"


class RangeOutOfOrder(AvailabilityError):
    code = "range_out_of_order"


class InvalidWeekday(AvailabilityError):
    code = "invalid_weekday"


class InvalidPolicy(AvailabilityError):
    code = "invalid_policy"


class NaiveDatetime(AvailabilityError):
    code = "naive_datetime"


class InvalidQueryRange(AvailabilityError):
    code = "invalid_query_range"

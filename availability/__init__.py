"""The pure availability engine: rules + busy time + bookings + policy -> bookable slots.

No I/O, no clock reads, no project imports: ``now`` is a parameter. See shared/design.md,
"Time and availability semantics", for the contract every function here implements.
"""

from availability.display import group_by_local_date
from availability.errors import (
    AvailabilityError,
    InvalidPolicy,
    InvalidQueryRange,
    InvalidRange,
    InvalidTimezone,
    InvalidWeekday,
    NaiveDatetime,
    RangeNotOn5Minutes,
    RangeOutOfOrder,
)
from availability.intervals import (
    SUPPORTED_FROM,
    SUPPORTED_UNTIL,
    Booking,
    BookingSpans,
    Interval,
    merge,
    supported_date,
    supported_instant,
)
from availability.multi import MentorInput, MentorSlots, free_slots_for_many
from availability.policy import SLOT_LENGTH, Policy
from availability.rules import (
    DateOverride,
    Schedule,
    TimeRange,
    WeeklyRules,
    parse_wall_time,
    zone,
)
from availability.runs import (
    SlotRun,
    free_slot_runs,
    free_slot_runs_for_many,
    merged_runs,
    run_instants,
)
from availability.slots import MAX_QUERY_RANGE_DAYS, bookings_window, free_slots, is_bookable

__all__ = [
    "MAX_QUERY_RANGE_DAYS",
    "SLOT_LENGTH",
    "SUPPORTED_FROM",
    "SUPPORTED_UNTIL",
    "AvailabilityError",
    "Booking",
    "BookingSpans",
    "DateOverride",
    "Interval",
    "InvalidPolicy",
    "InvalidQueryRange",
    "InvalidRange",
    "InvalidTimezone",
    "InvalidWeekday",
    "MentorInput",
    "MentorSlots",
    "NaiveDatetime",
    "Policy",
    "RangeNotOn5Minutes",
    "RangeOutOfOrder",
    "Schedule",
    "SlotRun",
    "TimeRange",
    "WeeklyRules",
    "bookings_window",
    "free_slot_runs",
    "free_slot_runs_for_many",
    "free_slots",
    "free_slots_for_many",
    "group_by_local_date",
    "is_bookable",
    "merge",
    "merged_runs",
    "parse_wall_time",
    "run_instants",
    "supported_date",
    "supported_instant",
    "zone",
]

"""A mentor's stored availability (weekly rules, date overrides, policy) turned into the engine's
inputs, and the slots the engine offers; the demo data."""

from scheduler.schedules.demo import seed
from scheduler.schedules.loading import (
    MentorState,
    load_mentor_states,
    load_states,
    mentor_policy_query,
)
from scheduler.schedules.models import (
    IS_LIVE,
    LIVE_STATUS,
    AvailabilityRule,
    BookingStatus,
    DateOverrideRow,
    ExternalBusy,
)
from scheduler.schedules.rules import PolicySettings, time_range
from scheduler.schedules.slots import (
    filiere_next_free,
    filiere_slots,
    filiere_states,
    mentor_slot_runs,
    mentor_slots,
)

__all__ = [
    "IS_LIVE",
    "LIVE_STATUS",
    "AvailabilityRule",
    "BookingStatus",
    "DateOverrideRow",
    "ExternalBusy",
    "MentorState",
    "PolicySettings",
    "filiere_next_free",
    "filiere_slots",
    "filiere_states",
    "load_mentor_states",
    "load_states",
    "mentor_policy_query",
    "mentor_slot_runs",
    "mentor_slots",
    "seed",
    "time_range",
]

"""Progress buses: the interface and its backends."""

from gql_media.bus.base import Event, ProgressBus, SubscriptionLost, job_channel
from gql_media.bus.memory import MemoryBus
from gql_media.bus.redis import RedisBus

__all__ = [
    "Event",
    "MemoryBus",
    "ProgressBus",
    "RedisBus",
    "SubscriptionLost",
    "job_channel",
]

"""Progress buses: the interface and its backends."""

from gql_media.bus.base import Event, ProgressBus, job_channel
from gql_media.bus.memory import MemoryBus

__all__ = ["Event", "MemoryBus", "ProgressBus", "job_channel"]

"""Wiring: the runtime an entry point builds, with every domain's job followers.

The one place a new domain registers what follows its jobs.
"""

from gql_media.jobs import make_handler
from gql_media.runtime import Runtime, build_runtime
from gql_media.services.assets import following as asset_following
from gql_media.services.generations import state as generation_state
from gql_media.services.publishing import following as publication_following
from gql_media.services.workflows import scheduler as workflow_scheduler
from gql_media.settings import Settings


def wire(settings: Settings) -> Runtime:
    """The backends the settings choose, with the followers of jobs registered."""
    runtime = build_runtime(settings, make_handler)
    runtime.job_followers += [
        asset_following.FOLLOWER,
        generation_state.FOLLOWER,
        workflow_scheduler.FOLLOWER,
        publication_following.FOLLOWER,
    ]
    return runtime

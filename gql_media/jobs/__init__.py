"""Job functions: (runtime, reporter, job, work_dir) -> Outcome, run by `runner`."""

from gql_media.jobs.runner import JOB_FUNCTIONS, make_handler, run_job

__all__ = ["JOB_FUNCTIONS", "make_handler", "run_job"]

// Follow a job live: jobProgress sends the row's state first, then each change, and
// completes at the end. If live updates fail (the server's bus is down past its
// grace period), poll job(id) until the job ends instead of going quiet.
import { gql, subscribe } from "./api.js";
import { JOB, JOB_PROGRESS } from "./fields.js";
import { useEffect, useState } from "./html.js";

const POLL_MS = 3000;

/** Calls `onJob(job)` with each state of the job; returns the stop function. */
export function followJob(jobId, onJob) {
  let stopped = false;
  let timer = null;
  const poll = async () => {
    if (stopped) return;
    try {
      const { job } = await gql(JOB, { id: jobId });
      if (job) onJob(job);
      if (!job || job.isFinished) return;
    } catch {
      // try again below
    }
    timer = setTimeout(poll, POLL_MS);
  };
  const unsubscribe = subscribe(JOB_PROGRESS, { jobId }, {
    next: (data) => !stopped && onJob(data.jobProgress),
    error: () => poll(),
  });
  return () => {
    stopped = true;
    clearTimeout(timer);
    unsubscribe();
  };
}

/** The live state of a job (null until its first event); null id: nothing. */
export function useJob(jobId, initial = null) {
  const [job, setJob] = useState(initial);
  useEffect(() => {
    if (!jobId) return undefined;
    return followJob(jobId, setJob);
  }, [jobId]);
  return job;
}

// Selections shared by pages, so a card, a row and a live event read the same fields.

export const ASSET_CARD = `
  id name kind status sizeBytes durationSeconds width height thumbnailUrl tags
  createdAt errorCode errorMessage isArchived project task versionLabel reviewStatus`;

export const JOB_ROW = `
  id kind status stage progress message attempts maxAttempts isDuplicate
  errorCode errorMessage createdAt startedAt finishedAt downloadUrl isFinished
  asset { ${ASSET_CARD} }`;

export const JOB_PROGRESS = `
  subscription JobProgress($jobId: ID!) { jobProgress(jobId: $jobId) { ${JOB_ROW} } }`;

export const JOB = `query Job($id: ID!) { job(id: $id) { ${JOB_ROW} } }`;

export const ACTIVE = new Set(["PENDING", "PROCESSING", "QUEUED", "RUNNING"]);

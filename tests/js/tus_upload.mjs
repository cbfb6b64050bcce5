// Upload a file to gql-media's /uploads/ with the official tus-js-client, drop the
// connection once `abortAt` of it is sent (abort() kills the request in flight),
// then resume from the upload URL. Prints one JSON line with what happened.
// Usage: node tus_upload.mjs <endpoint> <file> <abortAt 0..1>
import fs from "node:fs";
import path from "node:path";
import { Upload } from "tus-js-client";

const [endpoint, file, abortAtText] = process.argv.slice(2);
const abortAt = Number(abortAtText);
const data = fs.readFileSync(file);
const metadata = { filename: path.basename(file), filetype: "video/x-msvideo" };

function start(options) {
  return new Promise((resolve, reject) => {
    const upload = new Upload(data, {
      endpoint,
      metadata,
      // Four PATCHes: progress (throttled to 100 ms) is seen within the upload, so
      // the drop hits a request in flight rather than the end of the file.
      chunkSize: Math.ceil(data.length / 4),
      retryDelays: [100, 300, 1000],
      ...options,
      onError: reject,
      onSuccess: ({ lastResponse }) => resolve({ upload, lastResponse }),
      onProgress: (sent, total) => {
        if (options.onProgress) options.onProgress(upload, sent, total);
      },
    });
    upload.start();
  });
}

let droppedAt = null;
let firstUrl = null;
await new Promise((resolve, reject) => {
  start({
    onProgress: (upload, sent, total) => {
      if (droppedAt === null && sent >= total * abortAt) {
        droppedAt = sent;
        firstUrl = upload.url;
        upload.abort(false).then(resolve, reject);
      }
    },
  }).then(() => reject(new Error("the upload finished before the drop")), reject);
});

// A new Upload given the URL asks the server for its offset (HEAD) and goes on.
const { upload, lastResponse } = await start({ uploadUrl: firstUrl });
console.log(
  JSON.stringify({
    url: upload.url,
    firstUrl,
    droppedAt,
    assetId: lastResponse.getHeader("GQL-Media-Asset-Id"),
    jobId: lastResponse.getHeader("GQL-Media-Job-Id"),
    duplicate: lastResponse.getHeader("GQL-Media-Duplicate"),
  }),
);

import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  credentialPair,
  parseBoolean,
  parseTuning,
  splitList
} from "./lib-Y3JKUON6.js";
import {
  safeLine
} from "./lib-PEHWH3K6.js";
import "./lib-D63BPTNP.js";
import "./lib-YUGULL5U.js";
import {
  partialBlobs,
  tallyBlobs
} from "./lib-2HYIF75N.js";
import {
  namedTags
} from "./lib-MBOE33AT.js";
import "./lib-5MDUYW6E.js";
import "./lib-YY2WDGUW.js";
import "./lib-IL6IRER7.js";
import "./lib-TYU6EIMF.js";
import "./lib-LDHBL6VY.js";
import {
  parseRegistrySettings
} from "./lib-UYBGN3AB.js";
import "./lib-36FAJARI.js";
import {
  InputError,
  describeError
} from "./lib-VQBWY2ZJ.js";
import {
  debug,
  getInput,
  group,
  info,
  notice,
  setFailed,
  setOutput,
  setSecret,
  warning
} from "./lib-7HYWO4IN.js";
import "./lib-XOGWD4S3.js";
import "./lib-V3WSX2IK.js";

// src/action/inputs.ts
function readSettings() {
  const image = getInput("image");
  const merge = splitList(getInput("merge"));
  if (Boolean(image) === merge.length > 0) {
    throw new InputError(
      image ? "both image and merge are set" : "neither image nor merge is set",
      "set image to push an image, or merge to combine pushed digests into one index"
    );
  }
  const pushByDigest = parseBoolean("push-by-digest", getInput("push-by-digest"), false);
  const tags = splitList(getInput("tags"));
  if (tags.length === 0) {
    throw new InputError(
      "tags is empty",
      pushByDigest ? "name the repository to push to (ghcr.io/org/app); with push-by-digest no tag moves" : "name at least one destination, e.g. ghcr.io/org/app:1.0"
    );
  }
  const credentials = credentialInputs(
    "",
    "set both, or neither to use the Docker config (docker/login-action) or anonymous access"
  );
  const sourceCredentials = credentialInputs(
    "source-",
    "set both, or neither to use the Docker config (docker/login-action) for the source registry"
  );
  const registries = parseRegistrySettings(
    getInput("registry") || void 0,
    splitList(getInput("insecure-registries"))
  );
  const job = image ? {
    kind: "push",
    source: image,
    pushByDigest,
    verify: parseBoolean("verify", getInput("verify"), false),
    reuseFrom: splitList(getInput("reuse-from")),
    overwrite: parseBoolean("overwrite", getInput("overwrite"), true)
  } : { kind: "merge", sources: merge };
  return {
    job,
    destinations: tags,
    registry: registries.registry,
    insecureRegistries: registries.insecureRegistries,
    credentials,
    sourceCredentials,
    blobMap: parseBoolean("cache", getInput("cache"), true),
    tuning: parseTuning({
      concurrency: getInput("concurrency"),
      compression: getInput("compression"),
      compressionLevel: getInput("compression-level"),
      chunkSize: getInput("chunk-size"),
      retries: getInput("retries"),
      retryTimeout: getInput("retry-timeout"),
      caFile: getInput("ca-file") || void 0,
      platforms: splitList(getInput("platforms"))
    }),
    notes: registries.notes,
    warnings: pushByDigest ? droppedTags(tags, registries.registry) : []
  };
}
function credentialInputs(prefix, hint) {
  const password = getInput(`${prefix}password`);
  if (password) setSecret(password);
  const [username, pass] = [`${prefix}username`, `${prefix}password`];
  return credentialPair(getInput(username), password, {
    noPassword: [`${username} is set but ${pass} is empty`, hint],
    noUsername: [`${pass} is set but ${username} is empty`, hint]
  });
}
function droppedTags(tags, registry) {
  const tagged = namedTags(tags, registry);
  if (tagged.length === 0) return [];
  return [
    `push-by-digest moves no tag, so ${tagged.map((t) => `"${t}"`).join(", ")} ${tagged.length === 1 ? "is" : "are"} pushed by digest only. Drop the tag from tags (name the repository alone), or set push-by-digest: false`
  ];
}

// src/action/main.ts
var actionsLogger = {
  info: (message) => info(safeLine(message)),
  warning: (message) => warning(safeLine(message)),
  debug: (message) => debug(safeLine(message)),
  group: (name, fn) => group(safeLine(name), fn)
};
async function run() {
  let request;
  try {
    request = readSettings();
    const { run: runRequest } = await import("./lib-M5FV64AK.js");
    const { result, seconds } = await runRequest(request, {
      logger: actionsLogger,
      onSecret: (value) => setSecret(value),
      blobMapStore: openBlobMapCache
    });
    await setOutputs(result);
    await report(result, seconds);
    await announce(result);
  } catch (err) {
    setFailed(safeLine(describeError(err)));
    await reportFailure(err, request);
  }
}
async function openBlobMapCache() {
  const { BlobMapCache } = await import("./lib-NJRPAHVO.js");
  return BlobMapCache.open();
}
async function setOutputs(result) {
  const { buildMetadata, imagesOf } = await import("./lib-TR7GDZ6I.js");
  const { uploaded, skipped, mounted } = tallyBlobs(result.blobs);
  setOutput("digest", result.digest);
  setOutput("image", result.image);
  setOutput("tags", result.references.join("\n"));
  setOutput("blobs-uploaded", uploaded.count);
  setOutput("blobs-skipped", skipped.count);
  setOutput("blobs-mounted", mounted.count);
  setOutput("bytes-uploaded", uploaded.bytes);
  setOutput("bytes-skipped", skipped.bytes);
  setOutput("images", imagesOf(result).join("\n"));
  setOutput("metadata", JSON.stringify(buildMetadata(result)));
}
async function report(result, seconds) {
  try {
    const { writeSummary } = await import("./lib-DLGKEBE5.js");
    await writeSummary(result, { seconds });
  } catch (err) {
    actionsLogger.warning(`could not write the job summary: ${describeError(err)}`);
  }
}
async function announce(result) {
  const { pinnedReferences } = await import("./lib-CO3MSOUR.js");
  const pinned = pinnedReferences(result);
  for (const reference of pinned) actionsLogger.info(`pushed ${reference}`);
  notice(pinned.map(safeLine).join("\n"), { title: "Image pushed" });
}
async function reportFailure(err, request) {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    const { writeFailureSummary } = await import("./lib-DLGKEBE5.js");
    await writeFailureSummary(
      err,
      partialBlobs(err),
      request?.job.kind === "push" ? request.job.source : void 0
    );
  } catch (summaryErr) {
    actionsLogger.warning(`could not write the job summary: ${describeError(summaryErr)}`);
  }
}
export {
  run
};

import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  credentialPair,
  parseBoolean,
  parseTuning,
  splitList
} from "./lib-M6QFZANZ.js";
import {
  safeLine
} from "./lib-PEHWH3K6.js";
import "./lib-USXPPWAT.js";
import {
  partialBlobs,
  tallyBlobs
} from "./lib-2HYIF75N.js";
import {
  namedTags
} from "./lib-7OIJ2QVU.js";
import "./lib-YUGULL5U.js";
import {
  describeFileError,
  fileErrorFix
} from "./lib-3IKQDE3V.js";
import "./lib-U2ZXBBGP.js";
import "./lib-JPMS3PJJ.js";
import "./lib-KQYZT7ZY.js";
import "./lib-LDHBL6VY.js";
import {
  parseRegistrySettings,
  refuseCredentialsIn
} from "./lib-7Q57T64S.js";
import "./lib-RIHUBGJN.js";
import {
  ImagePushError,
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
} from "./lib-7MXFONZB.js";
import "./lib-3QRKZH6D.js";
import "./lib-V3WSX2IK.js";

// src/action/inputs.ts
function readSettings() {
  const image = getInput("image");
  const merge = splitList(getInput("merge"));
  refuseCredentialsIn(
    {
      image: [image],
      merge,
      tags: splitList(getInput("tags")),
      registry: [getInput("registry")],
      "reuse-from": splitList(getInput("reuse-from")),
      "insecure-registries": splitList(getInput("insecure-registries"))
    },
    (secret) => setSecret(secret)
  );
  for (const name of ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"])
    maskProxyPassword(process.env[name]);
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
  const annotations = getInput("annotations").split("\n").map((line) => line.trim()).filter(Boolean);
  if (annotations.length > 0 && merge.length === 0) {
    throw new InputError(
      "annotations are set, but they apply only to the index a merge writes: adding them to the pushed image would change its digest",
      "set them when building (build-push-action annotations), or use them on the merge step"
    );
  }
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
  } : { kind: "merge", sources: merge, annotations };
  return {
    job,
    destinations: tags,
    registry: registries.registry,
    insecureRegistries: registries.insecureRegistries,
    credentials,
    sourceCredentials,
    blobMap: parseBoolean("cache", getInput("cache"), false),
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
function maskProxyPassword(url) {
  if (!url) return;
  try {
    const { password } = new URL(url);
    if (password) {
      setSecret(password);
      setSecret(decodeURIComponent(password));
    }
  } catch {
  }
}
function readSummarySetting() {
  return parseBoolean("summary", getInput("summary"), true) && summaryFromEnv();
}
function summaryFromEnv(env = process.env) {
  return !/^(false|0|no|off)$/i.test(env.DOCKER_BUILD_SUMMARY?.trim() ?? "");
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
  let summary = summaryFromEnv();
  try {
    summary = readSummarySetting();
    request = readSettings();
    const { run: runRequest } = await import("./lib-GG43KXHV.js");
    const { result, seconds } = await runRequest(request, {
      logger: actionsLogger,
      onSecret: (value) => setSecret(value),
      blobMapStore: openBlobMapCache
    });
    let outputsFailed;
    try {
      await setOutputs(result);
    } catch (err) {
      outputsFailed = err;
    }
    if (summary) await report(result, seconds);
    await announce(result);
    if (outputsFailed !== void 0) throw new OutputsNotWritten(result.digest, outputsFailed);
  } catch (err) {
    setFailed(safeLine(describeError(err)));
    if (summary && !(err instanceof OutputsNotWritten)) await reportFailure(err, request);
  }
}
var OutputsNotWritten = class extends ImagePushError {
  constructor(digest, cause) {
    const path = process.env.GITHUB_OUTPUT ?? "";
    const fix = fileErrorFix(cause);
    super(
      `the image was pushed (${digest}), but the step outputs could not be written to GITHUB_OUTPUT (${path}): ${describeFileError(cause)}`,
      `the step fails so that later steps do not run without the digest; GITHUB_OUTPUT is the runner's file: check that no earlier step removed or replaced it${fix ? ` (${fix})` : ""}`,
      { cause }
    );
    this.name = "OutputsNotWritten";
  }
};
async function openBlobMapCache() {
  const { BlobMapCache } = await import("./lib-WT2U2EO5.js");
  return BlobMapCache.open();
}
async function setOutputs(result) {
  const { buildMetadata, imagesOf } = await import("./lib-LWYPTJRZ.js");
  const { uploaded, skipped, mounted } = tallyBlobs(result.blobs);
  setOutput("digest", result.digest);
  setOutput("imageid", result.configDigest ?? "");
  setOutput("image", result.image);
  setOutput("tags", result.references.join("\n"));
  setOutput("blobs-uploaded", uploaded.count);
  setOutput("blobs-skipped", skipped.count);
  setOutput("blobs-mounted", mounted.count);
  setOutput("bytes-uploaded", uploaded.bytes);
  setOutput("bytes-skipped", skipped.bytes);
  setOutput("bytes-mounted", mounted.bytes);
  setOutput("images", imagesOf(result).join("\n"));
  setOutput("metadata", JSON.stringify(buildMetadata(result)));
}
async function report(result, seconds) {
  try {
    const { writeSummary } = await import("./lib-IR4R55MU.js");
    await writeSummary(result, { seconds });
  } catch (err) {
    actionsLogger.warning(
      `the image was pushed (${result.digest}), but the job summary could not be written to GITHUB_STEP_SUMMARY (${process.env.GITHUB_STEP_SUMMARY ?? ""}): ${summaryError(err)}`
    );
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
    const { writeFailureSummary } = await import("./lib-IR4R55MU.js");
    await writeFailureSummary(
      err,
      partialBlobs(err),
      request?.job.kind === "push" ? request.job.source : void 0
    );
  } catch (summaryErr) {
    actionsLogger.warning(
      `the job summary could not be written to GITHUB_STEP_SUMMARY (${process.env.GITHUB_STEP_SUMMARY}): ${summaryError(summaryErr)}`
    );
  }
}
function summaryError(err) {
  if (err instanceof Error && /^Unable to access summary file/.test(err.message)) {
    return "it does not exist or is not writable";
  }
  return describeFileError(err);
}
export {
  run
};

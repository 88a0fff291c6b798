import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  parseBoolean,
  parseTuning,
  splitList
} from "./lib-EPCB3DIW.js";
import "./lib-NLZ52EI3.js";
import {
  partialBlobs,
  tallyBlobs
} from "./lib-QY6BC4QP.js";
import {
  RetryTally,
  namedTags
} from "./lib-UPHXPW66.js";
import "./lib-PZO7DZRF.js";
import {
  describeFileError,
  fileErrorFix
} from "./lib-ZJ32WCRA.js";
import "./lib-UKL75Q26.js";
import {
  ImagePushError,
  InputError,
  describeError,
  parseRegistrySettings,
  refuseCredentialsIn
} from "./lib-5N72T6EM.js";
import {
  safeLine
} from "./lib-JBT3YETI.js";
import "./lib-YY2WDGUW.js";
import "./lib-TYU6EIMF.js";
import "./lib-LDHBL6VY.js";
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
  if (sourceCredentials && !image.trim().startsWith("docker://")) {
    throw new InputError(
      "source-username and source-password are set, but image is not a docker:// reference",
      "they are for a source in a registry (docker://REGISTRY/REPOSITORY:TAG); drop them"
    );
  }
  const registries = parseRegistrySettings(
    getInput("registry") || void 0,
    splitList(getInput("insecure-registries"))
  );
  for (const note of registries.notes) info(note);
  return {
    image,
    merge,
    tags,
    registry: registries.registry,
    credentials,
    sourceCredentials,
    insecureRegistries: registries.insecureRegistries,
    cache: parseBoolean("cache", getInput("cache"), true),
    pushByDigest,
    verify: parseBoolean("verify", getInput("verify"), false),
    reuseFrom: splitList(getInput("reuse-from")),
    overwrite: parseBoolean("overwrite", getInput("overwrite"), true),
    ...parseTuning({
      concurrency: getInput("concurrency"),
      compression: getInput("compression"),
      compressionLevel: getInput("compression-level"),
      chunkSize: getInput("chunk-size"),
      retries: getInput("retries"),
      retryTimeout: getInput("retry-timeout"),
      caFile: getInput("ca-file") || void 0,
      platforms: splitList(getInput("platforms"))
    })
  };
}
function credentialInputs(prefix, hint) {
  const username = getInput(`${prefix}username`);
  const password = getInput(`${prefix}password`);
  if (password) setSecret(password);
  if (Boolean(username) !== Boolean(password)) {
    const [set, empty] = username ? ["username", "password"] : ["password", "username"];
    throw new InputError(`${prefix}${set} is set but ${prefix}${empty} is empty`, hint);
  }
  return username ? { username, password } : void 0;
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

// src/action/main.ts
var actionsLogger = {
  info: (message) => info(safeLine(message)),
  warning: (message) => warning(safeLine(message)),
  debug: (message) => debug(safeLine(message)),
  group: (name, fn) => group(safeLine(name), fn)
};
async function run() {
  let settings;
  try {
    settings = readSettings();
    if (settings.pushByDigest) warnDroppedTags(settings);
    await pushAndReport(settings);
  } catch (err) {
    setFailed(safeLine(describeError(err)));
    if (!(err instanceof OutputsNotWritten)) await reportFailure(err, settings);
  }
}
async function pushAndReport(settings) {
  const tally = new RetryTally();
  const blobMapCache = settings.cache && settings.image ? await openBlobMapCache() : void 0;
  const blobMap = await blobMapCache?.restore();
  const started = performance.now();
  const connection = {
    destinations: settings.tags,
    registry: settings.registry,
    credentials: settings.credentials,
    concurrency: settings.concurrency,
    insecureRegistries: settings.insecureRegistries,
    chunkSize: settings.chunkSize,
    retryPolicy: { ...settings.retryPolicy, tally },
    ca: settings.ca,
    logger: actionsLogger,
    onSecret: (value) => setSecret(value)
  };
  let result;
  try {
    result = settings.merge.length ? await actionsLogger.group(`Merging ${settings.merge.length} images`, async () => {
      const { merge } = await import("./lib-NH4PCI3F.js");
      return merge({ ...connection, sources: settings.merge });
    }) : await actionsLogger.group(`Pushing ${settings.image}`, async () => {
      const { push } = await import("./lib-ZGQMPORF.js");
      return push({
        ...connection,
        source: settings.image,
        sourceCredentials: settings.sourceCredentials,
        compression: settings.compression,
        compressionLevel: settings.compressionLevel,
        blobMap,
        pushByDigest: settings.pushByDigest,
        platforms: settings.platforms,
        verify: settings.verify,
        reuseFrom: settings.reuseFrom,
        overwrite: settings.overwrite
      });
    });
  } catch (err) {
    const retried = tally.describe();
    if (retried) actionsLogger.info(retried);
    throw err;
  }
  warnRetries(tally);
  const seconds = (performance.now() - started) / 1e3;
  if (blobMap) await blobMapCache?.save(blobMap);
  let outputsFailed;
  try {
    await setOutputs(result);
  } catch (err) {
    outputsFailed = err;
  }
  await report(result, seconds);
  await announce(result);
  if (outputsFailed !== void 0) throw new OutputsNotWritten(result.digest, outputsFailed);
}
var OutputsNotWritten = class extends ImagePushError {
  constructor(digest, cause) {
    const path = process.env.GITHUB_OUTPUT ?? "";
    super(
      `the image was pushed (${digest}), but the step outputs could not be written to GITHUB_OUTPUT (${path}): ${describeFileError(cause)}`,
      `the step fails so that later steps do not run without the digest; GITHUB_OUTPUT is the runner's file: check that no earlier step removed or replaced it${fileErrorFix(cause) ? ` (${fileErrorFix(cause)})` : ""}`,
      { cause }
    );
    this.name = "OutputsNotWritten";
  }
};
async function openBlobMapCache() {
  const { BlobMapCache } = await import("./lib-JJH22VLH.js");
  return BlobMapCache.open();
}
async function setOutputs(result) {
  const { buildMetadata, imagesOf } = await import("./lib-KPG7PG7W.js");
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
    const { writeSummary } = await import("./lib-LREJ3MQG.js");
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
async function reportFailure(err, settings) {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    const { writeFailureSummary } = await import("./lib-LREJ3MQG.js");
    await writeFailureSummary(err, partialBlobs(err), settings?.image || void 0);
  } catch (summaryErr) {
    actionsLogger.warning(
      `the job summary could not be written to GITHUB_STEP_SUMMARY (${process.env.GITHUB_STEP_SUMMARY}): ${summaryError(summaryErr)}`
    );
  }
}
function warnRetries(tally) {
  const line = tally.describe();
  if (line) actionsLogger.warning(`${line}; the push went on (a flaky registry or proxy?)`);
}
function warnDroppedTags(settings) {
  const tagged = namedTags(settings.tags, settings.registry);
  if (tagged.length === 0) return;
  actionsLogger.warning(
    `push-by-digest moves no tag, so ${tagged.map((t) => `"${t}"`).join(", ")} ${tagged.length === 1 ? "is" : "are"} pushed by digest only. Drop the tag from tags (name the repository alone), or set push-by-digest: false`
  );
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

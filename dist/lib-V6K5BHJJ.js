import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  parseBoolean,
  parseTuning,
  splitList
} from "./lib-5WX3QQK5.js";
import "./lib-QEGTITIB.js";
import "./lib-KSIDGSJ6.js";
import {
  partialBlobs,
  tallyBlobs
} from "./lib-2HYIF75N.js";
import {
  RetryTally,
  namedTags
} from "./lib-KO6SNZPA.js";
import "./lib-IL6IRER7.js";
import {
  InputError,
  describeError,
  parseRegistrySettings
} from "./lib-2QUEV4DK.js";
import {
  safeLine
} from "./lib-PEHWH3K6.js";
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
    await reportFailure(err, settings);
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
      const { merge } = await import("./lib-VLOPGUFE.js");
      return merge({ ...connection, sources: settings.merge });
    }) : await actionsLogger.group(`Pushing ${settings.image}`, async () => {
      const { push } = await import("./lib-5BXTMAMN.js");
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
  await setOutputs(result);
  await report(result, seconds);
  await announce(result);
}
async function openBlobMapCache() {
  const { BlobMapCache } = await import("./lib-NJRPAHVO.js");
  return BlobMapCache.open();
}
async function setOutputs(result) {
  const { buildMetadata, imagesOf } = await import("./lib-TX53FNN4.js");
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
    const { writeSummary } = await import("./lib-37CPILHI.js");
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
async function reportFailure(err, settings) {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    const { writeFailureSummary } = await import("./lib-37CPILHI.js");
    await writeFailureSummary(err, partialBlobs(err), settings?.image || void 0);
  } catch (summaryErr) {
    actionsLogger.warning(`could not write the job summary: ${describeError(summaryErr)}`);
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
export {
  run
};

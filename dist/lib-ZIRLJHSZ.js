import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  pinnedReferences
} from "./lib-OUM5PQBB.js";
import {
  DEFAULT_CONCURRENCY,
  parseTuning
} from "./lib-5WX3QQK5.js";
import {
  exitWhenIdle
} from "./lib-ESBK6QJ5.js";
import {
  DEFAULT_COMPRESSION_LEVEL
} from "./lib-QEGTITIB.js";
import "./lib-KSIDGSJ6.js";
import {
  VERSION
} from "./lib-EEFRKFMO.js";
import {
  DEFAULT_RETRIES,
  DEFAULT_RETRY_TIMEOUT_SECONDS,
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
  loadBlobMap,
  localBlobMapPath,
  saveBlobMap
} from "./lib-MH44AGOU.js";
import {
  safeLine
} from "./lib-PEHWH3K6.js";
import "./lib-YY2WDGUW.js";
import "./lib-TYU6EIMF.js";
import "./lib-LDHBL6VY.js";
import "./lib-V3WSX2IK.js";

// src/cli/main.ts
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
var USAGE = `usage: image-push push SOURCE DESTINATION... [options]
       image-push merge DESTINATION... --source REF --source REF... [options]

push: SOURCE is oci:PATH[:NAME], oci-archive:PATH[:NAME], docker-archive:PATH[:REF], docker-daemon:NAME[:TAG],
a bare image name (the Docker daemon) or docker://REGISTRY/REPO[:TAG|@DIGEST] (a copy from a registry, digest
kept); each DESTINATION is an image reference (ghcr.io/org/app:1.0).
merge: combines images already in a registry (REF is registry/repo@sha256:...) into one index under the
DESTINATIONs, mounting blobs across repositories. Both print the pushed manifest's digest.

options:
  --registry REGISTRY        registry for destinations that name none
  --username USER            with the password from IMAGE_PUSH_PASSWORD or --password-stdin
                             (without it: the Docker config and its credential helpers)
  --password-stdin           read the password from standard input
  --source-username USER     for a docker:// SOURCE, with the password from IMAGE_PUSH_SOURCE_PASSWORD
                             (or --source-password, which other users of the machine can see in ps)
  --concurrency N            registry requests at once (default ${DEFAULT_CONCURRENCY})
  --compression gzip|zstd    how to compress uncompressed layers (default gzip)
  --compression-level N      gzip 1-9 (default ${DEFAULT_COMPRESSION_LEVEL}) or zstd 1-19 (default 3)
  --push-by-digest           push without moving any tag
  --verify                   check every layer against the config's diff_ids before any tag moves
                             (decompresses each layer read from the source: ~1 s per GB of gzip)
  --platform OS/ARCH[/VAR]   push only this platform of an index; repeatable
  --reuse-from REF           a tag (in each destination repository) or same-registry reference holding a
                             previous version whose layers may be reused; repeatable
  --no-overwrite             fail before any upload if a destination tag holds another image
  --chunk-size SIZE          upload in chunks (64MiB); default one request per blob, chunks after a 413
  --retries N                retries of a failed request or upload (default ${DEFAULT_RETRIES})
  --retry-timeout SECONDS    no new retry, and fail after this long without progress (default ${DEFAULT_RETRY_TIMEOUT_SECONDS})
  --ca-file FILE             PEM CA to trust for the registry's certificate
  --blob-map FILE            where to remember compressed layers (default ${localBlobMapPath()})
  --no-blob-map              neither read nor write the blob map
  --insecure-registry HOST   allow plain HTTP or unverified TLS to HOST[:PORT]; repeatable
  --digest-file FILE         also write the pushed manifest's digest to FILE
  --json                     print the whole result as JSON
  --quiet                    log nothing but errors
  --version                  print the version
  --help                     print this`;
async function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      registry: { type: "string" },
      username: { type: "string" },
      "password-stdin": { type: "boolean", default: false },
      "source-username": { type: "string" },
      "source-password": { type: "string" },
      concurrency: { type: "string", default: "" },
      compression: { type: "string", default: "" },
      "compression-level": { type: "string", default: "" },
      "push-by-digest": { type: "boolean", default: false },
      verify: { type: "boolean", default: false },
      platform: { type: "string", multiple: true, default: [] },
      "reuse-from": { type: "string", multiple: true, default: [] },
      "no-overwrite": { type: "boolean", default: false },
      source: { type: "string", multiple: true, default: [] },
      "chunk-size": { type: "string", default: "" },
      retries: { type: "string", default: "" },
      "retry-timeout": { type: "string", default: "" },
      "ca-file": { type: "string" },
      "blob-map": { type: "string" },
      "no-blob-map": { type: "boolean", default: false },
      "insecure-registry": { type: "string", multiple: true, default: [] },
      "digest-file": { type: "string" },
      json: { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
      version: { type: "boolean", short: "v", default: false }
    }
  });
  if (values.version) {
    process.stdout.write(`image-push ${VERSION}
`);
    return;
  }
  if (values.help || argv.length === 0) {
    process.stdout.write(`${USAGE}
`);
    return;
  }
  const [command, ...rest] = positionals;
  const merging = command === "merge";
  const source = merging ? void 0 : rest[0];
  const destinations = merging ? rest : rest.slice(1);
  if (command !== "push" && !merging || !merging && !source || destinations.length === 0) {
    throw new InputError(
      `expected "push SOURCE DESTINATION..." or "merge DESTINATION... --source REF..." but got "${positionals.join(" ")}"`,
      "see --help"
    );
  }
  if (merging && values.source.length === 0) {
    throw new InputError("merge needs at least one --source REF", "name the pushed digests to combine");
  }
  const tuning = parseTuning({
    concurrency: values.concurrency,
    compression: values.compression,
    compressionLevel: values["compression-level"],
    chunkSize: values["chunk-size"],
    retries: values.retries,
    retryTimeout: values["retry-timeout"],
    caFile: values["ca-file"],
    platforms: values.platform
  });
  const password = values["password-stdin"] ? readFileSync(0, "utf8").replace(/\r?\n$/, "") : process.env.IMAGE_PUSH_PASSWORD;
  if (values.username && !password) {
    throw new InputError(
      "--username needs a password",
      "pipe it to --password-stdin or set IMAGE_PUSH_PASSWORD"
    );
  }
  const sourcePassword = values["source-password"] ?? process.env.IMAGE_PUSH_SOURCE_PASSWORD;
  if (values["source-username"] && !sourcePassword) {
    throw new InputError(
      "--source-username needs a password",
      "set IMAGE_PUSH_SOURCE_PASSWORD (or pass --source-password)"
    );
  }
  const sourceCredentials = values["source-username"] && sourcePassword ? { username: values["source-username"], password: sourcePassword } : void 0;
  const registries = parseRegistrySettings(values.registry, values["insecure-registry"]);
  const logger = stderrLogger(values.quiet);
  for (const note of registries.notes) logger.info(note);
  if (values["push-by-digest"]) {
    const tagged = namedTags(destinations, values.registry);
    if (tagged.length > 0) {
      logger.warning(
        `--push-by-digest moves no tag, so ${tagged.join(", ")} ${tagged.length === 1 ? "is" : "are"} pushed by digest only; name the repository alone, or drop --push-by-digest`
      );
    }
  }
  const tally = new RetryTally();
  const connection = {
    destinations,
    registry: registries.registry,
    credentials: values.username && password ? { username: values.username, password } : void 0,
    concurrency: tuning.concurrency,
    insecureRegistries: registries.insecureRegistries,
    chunkSize: tuning.chunkSize,
    retryPolicy: { ...tuning.retryPolicy, tally },
    ca: tuning.ca,
    logger
  };
  const done = async (result2) => {
    const retried = tally.describe();
    if (retried) logger.warning(retried);
    if (values["digest-file"]) await writeDigestFile(values["digest-file"], result2.digest);
    for (const reference of pinnedReferences(result2)) logger.info(`pushed ${reference}`);
    process.stdout.write(values.json ? `${JSON.stringify(result2, null, 2)}
` : `${result2.digest}
`);
  };
  if (merging) {
    const { merge } = await import("./lib-VLOPGUFE.js");
    await done(await merge({ ...connection, sources: values.source }));
    return;
  }
  const { push } = await import("./lib-5BXTMAMN.js");
  const mapPath = values["blob-map"] ?? localBlobMapPath();
  const mapReporter = { warn: (message) => logger.warning(message), disable: "--no-blob-map" };
  const blobMap = values["no-blob-map"] ? void 0 : await loadBlobMap(mapPath, mapReporter);
  const result = await push({
    ...connection,
    compression: tuning.compression,
    compressionLevel: tuning.compressionLevel,
    blobMap,
    source: source ?? "",
    sourceCredentials,
    pushByDigest: values["push-by-digest"],
    platforms: tuning.platforms,
    verify: values.verify,
    reuseFrom: values["reuse-from"],
    overwrite: !values["no-overwrite"]
  });
  if (blobMap?.changed) await saveBlobMap(blobMap, mapPath, mapReporter);
  await done(result);
}
async function writeDigestFile(path, digest) {
  try {
    await writeFile(path, digest);
  } catch (err) {
    throw new InputError(
      `--digest-file ${path}: ${err.message} (the image is pushed: ${digest})`,
      "name a file in a directory that exists and is writable"
    );
  }
}
function stderrLogger(quiet) {
  const write = (line) => {
    if (!quiet) process.stderr.write(`${safeLine(line)}
`);
  };
  return {
    info: write,
    warning: (message) => write(`warning: ${message}`),
    debug: (message) => {
      if (process.env.IMAGE_PUSH_DEBUG) write(`debug: ${message}`);
    },
    group: (name, fn) => {
      write(name);
      return fn();
    }
  };
}
function usageError(err) {
  const code = err.code;
  if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS_")) return err;
  return new InputError(err.message.split(". ")[0] ?? code, "see --help for the options");
}
main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`image-push: ${safeLine(describeError(usageError(err)))}
`);
  process.exitCode = 1;
}).finally(() => exitWhenIdle());

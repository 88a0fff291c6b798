import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  loadBlobMap,
  localBlobMapPath,
  saveBlobMap
} from "./lib-YFVTKVGO.js";
import {
  pinnedReferences
} from "./lib-OUM5PQBB.js";
import {
  credentialPair,
  parseTuning
} from "./lib-M6QFZANZ.js";
import {
  safeLine
} from "./lib-PEHWH3K6.js";
import {
  exitWhenIdle
} from "./lib-ESBK6QJ5.js";
import {
  DEFAULT_COMPRESSION_LEVEL
} from "./lib-USXPPWAT.js";
import {
  RegistryError,
  VERSION
} from "./lib-3DAS4T2P.js";
import {
  namedTags
} from "./lib-7OIJ2QVU.js";
import "./lib-YUGULL5U.js";
import {
  describeFileError,
  fileErrorFix
} from "./lib-3IKQDE3V.js";
import "./lib-U2ZXBBGP.js";
import {
  ManifestError
} from "./lib-5CE6QX4H.js";
import {
  DEFAULT_CONCURRENCY
} from "./lib-JPMS3PJJ.js";
import {
  require_promises
} from "./lib-KQYZT7ZY.js";
import "./lib-LDHBL6VY.js";
import {
  parseRegistrySettings,
  refuseCredentialsIn
} from "./lib-7Q57T64S.js";
import {
  run
} from "./lib-USOXBWWO.js";
import {
  DEFAULT_RETRIES,
  DEFAULT_RETRY_TIMEOUT_SECONDS
} from "./lib-RIHUBGJN.js";
import {
  ImagePushError,
  InputError,
  SourceError,
  describeError
} from "./lib-VQBWY2ZJ.js";
import {
  require_node_util
} from "./lib-OKZ22CYC.js";
import {
  require_node_fs
} from "./lib-3QRKZH6D.js";
import {
  __toESM
} from "./lib-V3WSX2IK.js";

// src/cli/main.ts
var import_promises = __toESM(require_promises(), 1);

// src/cli/args.ts
var import_node_fs = __toESM(require_node_fs(), 1);
var import_node_util = __toESM(require_node_util(), 1);
var processInput = { env: process.env, readStdin: () => (0, import_node_fs.readFileSync)(0, "utf8") };
function readArgs(argv, input = processInput) {
  const { values, positionals } = parseCommandLine(argv);
  if (values.version) return { kind: "version" };
  if (values.help || argv.length === 0) return { kind: "help" };
  refuseCredentialsIn({
    argument: positionals,
    "--source": values.source,
    "--reuse-from": values["reuse-from"],
    "--registry": values.registry ? [values.registry] : [],
    "--insecure-registry": values["insecure-registry"]
  });
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
  if (!merging && values.annotation.length > 0) {
    throw new InputError(
      "--annotation applies only to the index merge writes: adding it to the pushed image would change its digest",
      "set annotations when building, or pass them to image-push merge"
    );
  }
  if (merging && values.source.length === 0) {
    throw new InputError("merge needs at least one --source REF", "name the pushed digests to combine");
  }
  const verbose = values.verbose || values.debug;
  if (values.quiet && verbose) {
    throw new InputError("--quiet and --verbose (or --debug) together", "pick one");
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
  const { credentials, sourceCredentials } = credentialFlags(values, input);
  const registries = parseRegistrySettings(values.registry, values["insecure-registry"]);
  const pushByDigest = values["push-by-digest"];
  const request = {
    job: merging ? { kind: "merge", sources: values.source, annotations: values.annotation } : {
      kind: "push",
      source: source ?? "",
      pushByDigest,
      verify: values.verify,
      reuseFrom: values["reuse-from"],
      overwrite: !values["no-overwrite"]
    },
    destinations,
    registry: registries.registry,
    insecureRegistries: registries.insecureRegistries,
    credentials,
    sourceCredentials,
    tuning,
    blobMap: !values["no-blob-map"],
    notes: registries.notes,
    warnings: pushByDigest ? droppedTags(destinations, registries.registry) : []
  };
  return {
    kind: "run",
    request,
    output: {
      json: values.json,
      digestFile: values["digest-file"],
      blobMapFile: values["blob-map"],
      verbosity: values.quiet ? "quiet" : verbose ? "verbose" : "normal"
    }
  };
}
function credentialFlags(values, input) {
  const stdin = values["password-stdin"];
  const password = stdin ? input.readStdin().replace(/\r?\n$/, "") : input.env.IMAGE_PUSH_PASSWORD;
  const credentials = credentialPair(values.username, password, {
    noPassword: ["--username needs a password", "pipe it to --password-stdin or set IMAGE_PUSH_PASSWORD"],
    noUsername: [
      `a password was given (${stdin ? "--password-stdin" : "IMAGE_PUSH_PASSWORD"}) but no --username`,
      "add --username USER, or give no password to use the Docker config"
    ]
  });
  const sourcePassword = values["source-password"] ?? input.env.IMAGE_PUSH_SOURCE_PASSWORD;
  const sourceCredentials = credentialPair(values["source-username"], sourcePassword, {
    noPassword: [
      "--source-username needs a password",
      "set IMAGE_PUSH_SOURCE_PASSWORD (or pass --source-password)"
    ],
    noUsername: [
      "a source password was given (IMAGE_PUSH_SOURCE_PASSWORD or --source-password) but no --source-username",
      "add --source-username USER, or give no source password to use the Docker config"
    ]
  });
  return { credentials, sourceCredentials };
}
function parseCommandLine(argv) {
  try {
    return parse(argv);
  } catch (err) {
    const code = err.code;
    if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS_")) throw err;
    throw new InputError(err.message.split(". ")[0] ?? code, "see --help for the options");
  }
}
function parse(argv) {
  return (0, import_node_util.parseArgs)({
    args: [...argv],
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
      annotation: { type: "string", multiple: true, default: [] },
      "chunk-size": { type: "string", default: "" },
      retries: { type: "string", default: "" },
      "retry-timeout": { type: "string", default: "" },
      "ca-file": { type: "string" },
      "blob-map": { type: "string" },
      "no-blob-map": { type: "boolean", default: false },
      "insecure-registry": { type: "string", multiple: true, default: [] },
      "digest-file": { type: "string" },
      json: { type: "boolean", default: false },
      quiet: { type: "boolean", short: "q", default: false },
      verbose: { type: "boolean", default: false },
      debug: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
      version: { type: "boolean", short: "v", default: false }
    }
  });
}
function droppedTags(destinations, registry) {
  const tagged = namedTags(destinations, registry);
  if (tagged.length === 0) return [];
  return [
    `--push-by-digest moves no tag, so ${tagged.join(", ")} ${tagged.length === 1 ? "is" : "are"} pushed by digest only; name the repository alone, or drop --push-by-digest`
  ];
}

// src/cli/exit-codes.ts
var EXIT = {
  /** Pushed (or --help, --version). */
  ok: 0,
  /** Anything else (the message says what). */
  failure: 1,
  /** A bad argument, option, environment variable, or a path missing or of the wrong kind: nothing was sent. */
  input: 2,
  /** The registry refused the credentials (401), or they may not push there (403). Log in again. */
  auth: 3,
  /** The registry answered, but refused or failed the request (404, 409, 413, 429, 5xx after the retries). */
  refused: 4,
  /** The registry could not be reached (or its TLS failed), or went silent, and the retries gave up. */
  network: 5,
  /** The image source's content is unreadable or inconsistent (a bad layout, archive, manifest or layer). */
  source: 6
};
var EXIT_CODES_HELP = `exit codes:
  0  pushed (or --help, --version)
  1  any other failure (the message says what)
  2  bad input: an argument, option, environment variable, or a path that is missing or of the wrong kind;
     nothing was sent
  3  authentication: the registry refused the credentials (401) or they may not push there (403)
  4  the registry refused or failed a request (404, 409, 413, 429, 5xx after the retries), or a tag that
     --no-overwrite or the registry's immutable tags keep
  5  the network gave up: the registry could not be reached, its TLS failed, or it went silent, after the retries
  6  the source is broken: its content is unreadable or inconsistent (layout, archive, manifest, config, layer)`;
function exitCodeFor(err) {
  if (err instanceof InputError) return EXIT.input;
  if (err instanceof SourceError || err instanceof ManifestError) return EXIT.source;
  if (err instanceof RegistryError) {
    if (err.status === 401) return EXIT.auth;
    if (err.status === 403) return /rate.?limit/i.test(err.message) ? EXIT.refused : EXIT.auth;
    if (err.status !== void 0) return EXIT.refused;
    return err.network ? EXIT.network : EXIT.refused;
  }
  return EXIT.failure;
}

// src/cli/usage.ts
function usage() {
  return `usage: image-push push SOURCE DESTINATION... [options]
       image-push merge DESTINATION... --source REF --source REF... [options]

push: SOURCE is oci:PATH[:NAME], oci-archive:PATH[:NAME], docker-archive:PATH[:REF], docker-daemon:NAME[:TAG],
a bare image name (the Docker daemon) or docker://REGISTRY/REPO[:TAG|@DIGEST] (a copy from a registry, digest
kept); each DESTINATION is an image reference (ghcr.io/org/app:1.0).
merge: combines images already in a registry (REF is registry/repo@sha256:...) into one index under the
DESTINATIONs, mounting blobs across repositories. Both print the pushed manifest's digest.

options:
  --registry REGISTRY        registry for destinations that name none
  --username USER            with the password from IMAGE_PUSH_PASSWORD or --password-stdin (both or neither;
                             neither: the Docker config and its credential helpers)
  --password-stdin           read the password from standard input
  --source-username USER     for a docker:// SOURCE, with the password from IMAGE_PUSH_SOURCE_PASSWORD
                             (or --source-password, which other users of the machine can see in ps)
  --concurrency N            registry requests at once (default ${DEFAULT_CONCURRENCY})
  --compression gzip|zstd    how to compress uncompressed layers (default gzip)
  --compression-level N      gzip 1-9 (default ${DEFAULT_COMPRESSION_LEVEL}) or zstd 1-19 (default 3)
  --push-by-digest           push without moving any tag
  --verify                   check every layer against the config's diff_ids before any tag moves
                             (one more read and decompression of each layer read from the source:
                             about 1 s per 100 MB uncompressed)
  --platform OS/ARCH[/VAR]   push only this platform of an index; repeatable
  --reuse-from REF           a tag (in each destination repository) or same-registry reference holding a
                             previous version whose layers may be reused; repeatable
  --no-overwrite             fail before any upload if a destination tag holds another image
  --annotation TYPE:KEY=VAL  merge: annotate the index (index:KEY=VAL) or its entries
                             (manifest-descriptor[PLATFORM]:KEY=VAL), as metadata-action writes them; repeatable
  --chunk-size SIZE          upload in chunks (64MiB); default one request per blob, chunks after a 413
  --retries N                retries of a failed request or upload (default ${DEFAULT_RETRIES})
  --retry-timeout SECONDS    no new retry, and fail after this long without progress (default ${DEFAULT_RETRY_TIMEOUT_SECONDS})
  --ca-file FILE             PEM CA to trust for the registry's certificate
  --blob-map FILE            where to remember compressed layers (default ${localBlobMapPath()})
  --no-blob-map              neither read nor write the blob map
  --insecure-registry HOST   allow plain HTTP or unverified TLS to HOST[:PORT]; repeatable
  --digest-file FILE         also write the pushed manifest's digest to FILE
  --json                     print the whole result as JSON
  -q, --quiet                log nothing but the error line
  --verbose, --debug         also log debug lines: where credentials came from, mounts a registry declined,
                             manifests that could not be read for reuse, upload sessions cancelled (the same
                             as setting IMAGE_PUSH_DEBUG to any value)
  -v, --version              print the version
  -h, --help                 print this

${EXIT_CODES_HELP}`;
}

// src/cli/main.ts
async function main(argv) {
  const command = readArgs(argv);
  if (command.kind === "version") return print(`image-push ${VERSION}
`);
  if (command.kind === "help") return print(`${usage()}
`);
  const { request, output } = command;
  const logger = stderrLogger(output.verbosity);
  const { result } = await run(request, {
    logger,
    blobMapStore: () => Promise.resolve(fileBlobMap(output.blobMapFile ?? localBlobMapPath(), logger))
  });
  for (const reference of pinnedReferences(result)) logger.info(`pushed ${reference}`);
  print(printed(result, output));
  if (output.digestFile) await writeDigestFile(output.digestFile, result.digest);
}
function printed(result, output) {
  return output.json ? `${JSON.stringify(result, null, 2)}
` : `${result.digest}
`;
}
function print(text) {
  process.stdout.write(text);
}
function fileBlobMap(path, logger) {
  const reporter = { warn: (message) => logger.warning(message), disable: "--no-blob-map" };
  return {
    restore: () => loadBlobMap(path, reporter),
    save: async (map) => {
      if (map.changed) await saveBlobMap(map, path, reporter);
    }
  };
}
async function writeDigestFile(path, digest) {
  try {
    await (0, import_promises.writeFile)(path, digest);
  } catch (err) {
    throw new ImagePushError(
      `the image was pushed (${digest}), but --digest-file ${path} could not be written: ${describeFileError(err)}`,
      fileErrorFix(err) ?? "name a file in a directory that exists and is writable"
    );
  }
}
function stderrLogger(verbosity) {
  const write = (line) => {
    if (verbosity !== "quiet") process.stderr.write(`${safeLine(line)}
`);
  };
  const debug = verbosity === "verbose" || Boolean(process.env.IMAGE_PUSH_DEBUG);
  return {
    info: write,
    warning: (message) => write(`warning: ${message}`),
    debug: (message) => {
      if (debug) write(`debug: ${message}`);
    },
    // Groups fold the Actions log; on a terminal their heading ("Pushing SOURCE") is only news with --verbose.
    group: (name, fn) => {
      if (debug) write(name);
      return fn();
    }
  };
}
main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`image-push: ${safeLine(describeError(err))}
`);
  process.exitCode = exitCodeFor(err);
}).finally(() => exitWhenIdle());

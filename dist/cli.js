#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  DEFAULT_COMPRESSION_LEVEL,
  DEFAULT_CONCURRENCY,
  InputError,
  describeError,
  loadBlobMap,
  localBlobMapPath,
  parseCompressionLevel,
  parseConcurrency,
  push
} from "./lib-RR35KXOU.js";

// src/cli.ts
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
var USAGE = `usage: image-push push SOURCE DESTINATION... [options]

SOURCE is oci:PATH[:NAME], oci-archive:PATH[:NAME], docker-archive:PATH[:REF], docker-daemon:NAME[:TAG]
or a bare image name (the Docker daemon); each DESTINATION is an image reference
(ghcr.io/org/app:1.0). Prints the pushed manifest's digest.

options:
  --registry REGISTRY        registry for destinations that name none
  --username USER            with the password from IMAGE_PUSH_PASSWORD or --password-stdin
  --password-stdin           read the password from standard input
  --concurrency N            registry requests at once (default ${DEFAULT_CONCURRENCY})
  --compression-level N      gzip level for uncompressed layers, 1-9 (default ${DEFAULT_COMPRESSION_LEVEL})
  --blob-map FILE            where to remember compressed layers (default ${localBlobMapPath()})
  --no-blob-map              neither read nor write the blob map
  --insecure-registry HOST   allow plain HTTP to HOST (loopback always may); repeatable
  --json                     print the whole result as JSON
  --quiet                    log nothing but errors`;
async function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      registry: { type: "string" },
      username: { type: "string" },
      "password-stdin": { type: "boolean", default: false },
      concurrency: { type: "string", default: "" },
      "compression-level": { type: "string", default: "" },
      "blob-map": { type: "string" },
      "no-blob-map": { type: "boolean", default: false },
      "insecure-registry": { type: "string", multiple: true, default: [] },
      json: { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false }
    }
  });
  if (values.help) {
    process.stdout.write(`${USAGE}
`);
    return;
  }
  const [command, source, ...destinations] = positionals;
  if (command !== "push" || !source || destinations.length === 0) {
    throw new InputError(
      `expected "push SOURCE DESTINATION..." but got "${positionals.join(" ")}"`,
      "see --help"
    );
  }
  const concurrency = parseConcurrency(values.concurrency);
  const compressionLevel = parseCompressionLevel(values["compression-level"]);
  const password = values["password-stdin"] ? readFileSync(0, "utf8").replace(/\r?\n$/, "") : process.env.IMAGE_PUSH_PASSWORD;
  if (values.username && !password) {
    throw new InputError(
      "--username needs a password",
      "pipe it to --password-stdin or set IMAGE_PUSH_PASSWORD"
    );
  }
  const logger = stderrLogger(values.quiet);
  const mapPath = values["blob-map"] ?? localBlobMapPath();
  const blobMap = values["no-blob-map"] ? void 0 : await loadBlobMap(mapPath);
  const result = await push({
    compressionLevel,
    blobMap,
    source,
    destinations,
    registry: values.registry,
    credentials: values.username && password ? { username: values.username, password } : void 0,
    concurrency,
    insecureRegistries: values["insecure-registry"],
    logger
  });
  if (blobMap?.changed) await blobMap.save(mapPath);
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}
` : `${result.digest}
`);
}
function stderrLogger(quiet) {
  const write = (line) => {
    if (!quiet) process.stderr.write(`${line}
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
  process.stderr.write(`image-push: ${describeError(usageError(err))}
`);
  process.exitCode = 1;
});

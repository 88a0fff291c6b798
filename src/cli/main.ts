// The command-line front end: the same push as the action, for local use, the demo and the benchmarks.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeError, InputError } from '../errors.ts';
import { loadBlobMap, localBlobMapPath } from '../cache/blob-map-store.ts';
import { DEFAULT_COMPRESSION_LEVEL, DEFAULT_CONCURRENCY, parseTuning } from '../options.ts';
import type { Logger } from '../log.ts';
import { merge } from '../push/merge.ts';
import { push } from '../push/push.ts';
import { DEFAULT_RETRIES, DEFAULT_RETRY_TIMEOUT_SECONDS } from '../registry/retry.ts';

const USAGE = `usage: image-push push SOURCE DESTINATION... [options]
       image-push merge DESTINATION... --source REF --source REF... [options]

push: SOURCE is oci:PATH[:NAME], oci-archive:PATH[:NAME], docker-archive:PATH[:REF], docker-daemon:NAME[:TAG]
or a bare image name (the Docker daemon); each DESTINATION is an image reference (ghcr.io/org/app:1.0).
merge: combines images already in a registry (REF is registry/repo@sha256:...) into one index under the
DESTINATIONs, mounting blobs across repositories. Both print the pushed manifest's digest.

options:
  --registry REGISTRY        registry for destinations that name none
  --username USER            with the password from IMAGE_PUSH_PASSWORD or --password-stdin
                             (without it: the Docker config and its credential helpers)
  --password-stdin           read the password from standard input
  --concurrency N            registry requests at once (default ${DEFAULT_CONCURRENCY})
  --compression gzip|zstd    how to compress uncompressed layers (default gzip)
  --compression-level N      gzip 1-9 (default ${DEFAULT_COMPRESSION_LEVEL}) or zstd 1-19 (default 3)
  --push-by-digest           push without moving any tag
  --platform OS/ARCH[/VAR]   push only this platform of an index; repeatable
  --reuse-from REF           a tag (in each destination repository) or same-registry reference holding a
                             previous version whose layers may be reused; repeatable
  --no-overwrite             fail before any upload if a destination tag holds another image
  --chunk-size SIZE          upload in chunks (64MiB); default one request per blob, chunks after a 413
  --retries N                retries of a failed request or upload (default ${DEFAULT_RETRIES})
  --retry-timeout SECONDS    no new retry after this long (default ${DEFAULT_RETRY_TIMEOUT_SECONDS})
  --ca-file FILE             PEM CA to trust for the registry's certificate
  --blob-map FILE            where to remember compressed layers (default ${localBlobMapPath()})
  --no-blob-map              neither read nor write the blob map
  --insecure-registry HOST   allow plain HTTP or unverified TLS to HOST; repeatable
  --json                     print the whole result as JSON
  --quiet                    log nothing but errors`;

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      registry: { type: 'string' },
      username: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      concurrency: { type: 'string', default: '' },
      compression: { type: 'string', default: '' },
      'compression-level': { type: 'string', default: '' },
      'push-by-digest': { type: 'boolean', default: false },
      platform: { type: 'string', multiple: true, default: [] },
      'reuse-from': { type: 'string', multiple: true, default: [] },
      'no-overwrite': { type: 'boolean', default: false },
      source: { type: 'string', multiple: true, default: [] },
      'chunk-size': { type: 'string', default: '' },
      retries: { type: 'string', default: '' },
      'retry-timeout': { type: 'string', default: '' },
      'ca-file': { type: 'string' },
      'blob-map': { type: 'string' },
      'no-blob-map': { type: 'boolean', default: false },
      'insecure-registry': { type: 'string', multiple: true, default: [] },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const [command, ...rest] = positionals;
  const merging = command === 'merge';
  const source = merging ? undefined : rest[0];
  const destinations = merging ? rest : rest.slice(1);
  if ((command !== 'push' && !merging) || (!merging && !source) || destinations.length === 0) {
    throw new InputError(
      `expected "push SOURCE DESTINATION..." or "merge DESTINATION... --source REF..." but got "${positionals.join(' ')}"`,
      'see --help',
    );
  }
  if (merging && values.source.length === 0) {
    throw new InputError('merge needs at least one --source REF', 'name the pushed digests to combine');
  }
  const tuning = parseTuning({
    concurrency: values.concurrency,
    compression: values.compression,
    compressionLevel: values['compression-level'],
    chunkSize: values['chunk-size'],
    retries: values.retries,
    retryTimeout: values['retry-timeout'],
    caFile: values['ca-file'],
    platforms: values.platform,
  });
  const password = values['password-stdin']
    ? readFileSync(0, 'utf8').replace(/\r?\n$/, '')
    : process.env.IMAGE_PUSH_PASSWORD;
  if (values.username && !password) {
    throw new InputError(
      '--username needs a password',
      'pipe it to --password-stdin or set IMAGE_PUSH_PASSWORD',
    );
  }
  const logger = stderrLogger(values.quiet);
  const connection = {
    destinations,
    registry: values.registry,
    credentials: values.username && password ? { username: values.username, password } : undefined,
    concurrency: tuning.concurrency,
    insecureRegistries: values['insecure-registry'],
    chunkSize: tuning.chunkSize,
    retryPolicy: tuning.retryPolicy,
    ca: tuning.ca,
    logger,
  };
  if (merging) {
    const result = await merge({ ...connection, sources: values.source });
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${result.digest}\n`);
    return;
  }
  const mapPath = values['blob-map'] ?? localBlobMapPath();
  const blobMap = values['no-blob-map'] ? undefined : await loadBlobMap(mapPath);
  const result = await push({
    ...connection,
    compression: tuning.compression,
    compressionLevel: tuning.compressionLevel,
    blobMap,
    source: source ?? '',
    pushByDigest: values['push-by-digest'],
    platforms: tuning.platforms,
    reuseFrom: values['reuse-from'],
    overwrite: !values['no-overwrite'],
  });
  if (blobMap?.changed) await blobMap.save(mapPath);
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${result.digest}\n`);
}

function stderrLogger(quiet: boolean): Logger {
  const write = (line: string): void => {
    if (!quiet) process.stderr.write(`${line}\n`);
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
    },
  };
}

/** node:util's parseArgs errors (unknown option, missing value) as input errors that point at --help. */
function usageError(err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) return err;
  // Node's text goes on to explain `--`; its first sentence names the option.
  return new InputError((err as Error).message.split('. ')[0] ?? code, 'see --help for the options');
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`image-push: ${describeError(usageError(err))}\n`);
  process.exitCode = 1;
});

// The command-line front end: arguments in (args.ts), one run (the same as the action's), the digest out.
// The push itself (and undici, the sources, the compressors) loads only once the arguments are good.
import { writeFile } from 'node:fs/promises';
import { describeError, ImagePushError } from '../errors.ts';
import { describeFileError, fileErrorFix } from '../file-errors.ts';
import { exitWhenIdle } from '../exit.ts';
import { loadBlobMap, localBlobMapPath, saveBlobMap } from '../cache/blob-map-store.ts';
import { safeLine, type Logger } from '../log.ts';
import type { PushResult } from '../engine/result.ts';
import { pinnedReferences } from '../report/pushed.ts';
import { run, type BlobMapStore } from '../run/run.ts';
import { VERSION } from '../version.ts';
import { readArgs, type CliOutput, type Verbosity } from './args.ts';
import { exitCodeFor } from './exit-codes.ts';
import { usage } from './usage.ts';

async function main(argv: string[]): Promise<void> {
  const command = readArgs(argv);
  if (command.kind === 'version') return print(`image-push ${VERSION}\n`);
  if (command.kind === 'help') return print(`${usage()}\n`);
  const { request, output } = command;
  const logger = stderrLogger(output.verbosity);
  const { result } = await run(request, {
    logger,
    blobMapStore: () => Promise.resolve(fileBlobMap(output.blobMapFile ?? localBlobMapPath(), logger)),
    describePlatform: output.json,
  });
  for (const reference of pinnedReferences(result)) logger.info(`pushed ${reference}`);
  print(printed(result, output));
  // Last: the image is pushed and said so whatever happens to the file.
  if (output.digestFile) await writeDigestFile(output.digestFile, result.digest);
}

function printed(result: PushResult, output: CliOutput): string {
  return output.json ? `${JSON.stringify(result, null, 2)}\n` : `${result.digest}\n`;
}

function print(text: string): void {
  process.stdout.write(text);
}

/** The blob map in a file: a failure to read or save it is a warning that names --no-blob-map. */
function fileBlobMap(path: string, logger: Logger): BlobMapStore {
  const reporter = { warn: (message: string) => logger.warning(message), disable: '--no-blob-map' };
  return {
    restore: () => loadBlobMap(path, reporter),
    save: async (map) => {
      if (map.changed) await saveBlobMap(map, path, reporter);
    },
  };
}

/** Like skopeo's --digestfile: the digest alone, no newline. */
async function writeDigestFile(path: string, digest: string): Promise<void> {
  try {
    await writeFile(path, digest);
  } catch (err) {
    // Not an input error (exit 2 means nothing was sent): the push is done, only the file is missing.
    throw new ImagePushError(
      `the image was pushed (${digest}), but --digest-file ${path} could not be written: ${describeFileError(err)}`,
      fileErrorFix(err) ?? 'name a file in a directory that exists and is writable',
    );
  }
}

/** stderr, every line through safeLine: stderr too is read for workflow commands when the CLI runs in CI. */
function stderrLogger(verbosity: Verbosity): Logger {
  const write = (line: string): void => {
    if (verbosity !== 'quiet') process.stderr.write(`${safeLine(line)}\n`);
  };
  const debug = verbosity === 'verbose' || Boolean(process.env.IMAGE_PUSH_DEBUG);
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
    },
  };
}

main(process.argv.slice(2))
  .catch((err: unknown) => {
    process.stderr.write(`image-push: ${safeLine(describeError(err))}\n`);
    process.exitCode = exitCodeFor(err);
  })
  .finally(() => exitWhenIdle());

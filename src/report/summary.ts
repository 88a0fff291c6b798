import * as core from '@actions/core';
import { ImagePushError } from '../errors.ts';
import { sumSizes, tallyBlobs, type BlobReport } from '../engine/result.ts';
import { formatBytes, formatRate, formatSeconds } from '../format.ts';
import { childrenOf, formatPlatform, type PushResultWithChildren } from './metadata.ts';
import { repositoriesOf, repositoryOf } from './pushed.ts';

export interface SummaryOptions {
  /** Wall time of the whole push, for the overall line. */
  readonly seconds?: number | undefined;
}

/** More blob rows than this go into a collapsed <details> block. */
export const LONG_TABLE = 8;
/** Below this a blob's time is mostly request latency, so a rate would mislead. */
const RATE_MIN_BYTES = 1_000_000;

/**
 * The job summary of one push, as GitHub-flavoured markdown: a pull line to copy for each repository, its tags,
 * and what happened to every blob. Pure, so it is tested without the Actions runtime. Only digests, sizes,
 * media types and references go in: PushResult holds no credentials, and none may be added here.
 */
export function buildSummary(result: PushResultWithChildren, options: SummaryOptions = {}): string {
  const lines: string[] = [];
  const children = childrenOf(result);
  const kind = children.length > 0 ? `index of ${count(children.length, 'platform')}` : 'manifest';
  lines.push(`### Image pushed: ${code(result.digest)}`, '');
  const platform =
    children.length === 0 && result.platform ? ` for ${code(formatPlatform(result.platform))}` : '';
  lines.push(`${capitalize(kind)}${platform}, ${formatBytes(result.size)}, ${code(result.mediaType)}.`, '');
  if (result.source) lines.push(`From ${code(result.source)}.`, '');
  for (const repository of repositoriesOf(result.references)) {
    const tags = result.references
      .filter((reference) => repositoryOf(reference) === repository && !reference.includes('@'))
      .map((reference) => code(reference.slice(repository.length + 1)));
    lines.push(
      `**${escapeText(repository)}**: ${tags.length > 0 ? `${tags.length === 1 ? 'tag' : 'tags'} ${tags.join(', ')}` : 'by digest, no tag'}`,
      '',
      '```sh',
      `docker pull ${repository}@${result.digest}`,
      '```',
      '',
    );
  }

  if (children.length > 0) {
    lines.push('| Platform | Manifest | Size |', '| --- | --- | ---: |');
    for (const child of children) {
      lines.push(
        `| ${cell(formatPlatform(child.platform))} | ${code(shortDigest(child.digest))} | ${formatBytes(child.size)} |`,
      );
    }
    lines.push('');
  }

  lines.push(...blobTables(result.blobs));
  lines.push(...totals(result, options));
  return `${lines.join('\n')}\n`;
}

/**
 * The summary of a push that failed: what failed and how to fix it first, then what went up before the
 * failure (a re-run skips those blobs).
 */
export function buildFailureSummary(err: unknown, blobs: readonly BlobReport[], source?: string): string {
  const what = err instanceof Error ? err.message : String(err);
  const hint = err instanceof ImagePushError ? err.hint : undefined;
  // A registry's refusal (registry/errors.ts sets where and status; report/ reads no layer but push/).
  const failed = err as { where?: unknown; status?: unknown } | undefined;
  const headline =
    err instanceof ImagePushError && typeof failed?.where === 'string'
      ? registryHeadline(what, failed.where, typeof failed.status === 'number' ? failed.status : undefined)
      : undefined;
  const lines = [
    headline ? `### Push failed: ${headline}` : `### Push failed${source ? `: ${code(source)}` : ''}`,
    '',
  ];
  if (headline && source) lines.push(`Pushing ${code(source)}.`, '');
  lines.push(`**What failed:** ${escapeText(oneLine(what))}`, '');
  if (hint) lines.push(`**How to fix it:** ${escapeText(oneLine(hint))}`, '');
  if (blobs.length === 0) {
    lines.push('No blob had gone up before the failure.', '');
    return `${lines.join('\n')}\n`;
  }
  const uploaded = blobs.filter((b) => b.action === 'uploaded');
  const inPlace = blobs.filter((b) => b.action !== 'uploaded');
  lines.push(
    `**Before the failure:** ${count(uploaded.length, 'blob')} uploaded (${formatBytes(sumSizes(uploaded))}), ` +
      `${inPlace.length} already in the registry or mounted; a re-run does not send them again. No tag moved ` +
      'unless every blob it needs was in place.',
    '',
  );
  lines.push(...blobTables(blobs));
  return `${lines.join('\n')}\n`;
}

/** What the registry's answer means, after the registry and repository that gave it. */
function registryHeadline(message: string, where: string, status: number | undefined): string {
  const meaning =
    status === 401
      ? /no credentials were given/.test(message)
        ? 'wants credentials'
        : 'refused the credentials'
      : status === 403
        ? 'denied access'
        : status === 404
          ? 'does not have what was asked for'
          : status === 413
            ? 'refused a request as too large'
            : status === 429
              ? 'limited the request rate'
              : status !== undefined && status >= 500
                ? 'failed with a server error'
                : status !== undefined
                  ? 'refused a request'
                  : 'could not be reached or stopped answering';
  return `${code(where)} ${meaning}${status === undefined ? '' : ` (${status})`}`;
}

/** One table per repository, largest blob first; a long one collapsed in <details>. */
function blobTables(blobs: readonly BlobReport[]): string[] {
  const lines: string[] = [];
  const byRepository = Map.groupBy(blobs, (blob) => blob.repository);
  for (const [repository, group] of byRepository) {
    const heading = byRepository.size > 1 ? ` in ${code(repository)}` : '';
    const table = [
      '| Blob | Size | What happened | Time | Throughput |',
      '| --- | ---: | --- | ---: | ---: |',
    ];
    // Largest first: the rows that matter for the push time come at the top.
    for (const blob of [...group].sort((a, b) => b.size - a.size)) {
      const moved = blob.action === 'uploaded';
      const rate = moved && blob.size >= RATE_MIN_BYTES ? formatRate(blob.size, blob.seconds) : '–';
      table.push(
        `| ${code(shortDigest(blob.digest))} | ${formatBytes(blob.size)} | ${blobOutcome(blob)} | ` +
          `${moved ? formatSeconds(blob.seconds) : '–'} | ${rate} |`,
      );
    }
    if (group.length > LONG_TABLE) {
      // Blank lines around the table: GitHub renders markdown inside HTML blocks only when they are there.
      const what = `${count(group.length, 'blob')}${heading}, ${formatBytes(sumSizes(group))}`;
      lines.push('<details>', `<summary>${what.replace(/`([^`]*)`/g, '<code>$1</code>')}</summary>`, '');
      lines.push(...table, '', '</details>', '');
    } else {
      if (heading) lines.push(`#### Blobs${heading}`, '');
      lines.push(...table, '');
    }
  }
  return lines;
}

/** What happened to one blob, in words a user knows. */
export function blobOutcome(blob: BlobReport): string {
  // Read as a string: later pushes may report more actions (a cross-repository mount) than the type has today.
  const action: string = blob.action;
  if (blob.fromBlobMap) return 'known from an earlier push (not read)';
  if (action === 'mounted') return 'mounted from another repository';
  if (action === 'uploaded') return blob.compressed ? 'compressed and uploaded' : 'uploaded';
  if (action === 'skipped')
    return blob.compressed ? 'compressed; already in the registry' : 'already in the registry';
  return cell(action);
}

function totals(result: PushResultWithChildren, options: SummaryOptions): string[] {
  const { all, uploaded, skipped, mounted } = tallyBlobs(result.blobs);
  // The same three counts, and words, as the outputs blobs-/bytes-uploaded, -skipped and -mounted.
  let line =
    `**Totals:** ${count(all.count, 'blob')}, ${formatBytes(all.bytes)}: ` +
    `${uploaded.count} uploaded (${formatBytes(uploaded.bytes)})`;
  if (skipped.count > 0) line += `, ${skipped.count} already in the registry (${formatBytes(skipped.bytes)})`;
  if (mounted.count > 0) line += `, ${mounted.count} mounted (${formatBytes(mounted.bytes)})`;
  const lines = [`${line}.`];
  const details: string[] = [];
  if (result.bytesCompressed > 0) {
    details.push(
      `compressed ${formatBytes(result.bytesCompressed)} of uncompressed layers, ` +
        `${count(result.layersRead, 'layer')} read from the source`,
    );
  }
  if (options.seconds !== undefined) {
    const rate = uploaded.count > 0 ? `, ${formatRate(uploaded.bytes, options.seconds)} uploaded` : '';
    details.push(`pushed in ${formatSeconds(options.seconds)}${rate}`);
  }
  if (details.length > 0) lines.push('', `${capitalize(details.join('; '))}.`);
  return lines;
}

/** `sha256:` and the first 12 hex digits: enough to tell blobs apart in a table. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return colon < 0 ? digest.slice(0, 12) : digest.slice(0, colon + 13);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** Table-safe text: a `|` would end the cell, `<` could open HTML. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('<', '&lt;');
}

/** Running text from an error: no HTML, and no markdown that could turn a path into emphasis or a link. */
function escapeText(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/([\\`*_[\]|])/g, '\\$1');
}

/** A code span; HTML entities would show literally inside one, so only `|` is escaped. */
function code(text: string): string {
  return `\`${text.replaceAll('|', '\\|').replaceAll('`', "'")}\``;
}

/**
 * Appends markdown to the job's summary file. Returns false where there is none (a run outside Actions,
 * a runner too old for summaries): a push that worked must not fail over its report.
 */
async function append(markdown: string): Promise<boolean> {
  if (!process.env.GITHUB_STEP_SUMMARY) return false;
  await core.summary.addRaw(markdown, true).write();
  return true;
}

export function writeSummary(result: PushResultWithChildren, options: SummaryOptions = {}): Promise<boolean> {
  return append(buildSummary(result, options));
}

export function writeFailureSummary(
  err: unknown,
  blobs: readonly BlobReport[],
  source?: string,
): Promise<boolean> {
  return append(buildFailureSummary(err, blobs, source));
}

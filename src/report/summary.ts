import * as core from '@actions/core';
import { tallyBlobs, type BlobReport } from '../push/result.ts';
import { formatBytes, formatRate, formatSeconds } from '../format.ts';
import { childrenOf, formatPlatform, type PushResultWithChildren } from './metadata.ts';

export interface SummaryOptions {
  /** Wall time of the whole push, for the overall line. */
  readonly seconds?: number | undefined;
}

/**
 * The job summary of one push, as GitHub-flavoured markdown: what each reference now points at, and what
 * happened to every blob. Pure, so it is tested without the Actions runtime. Only digests, sizes, media
 * types and references go in: PushResult holds no credentials, and none may be added here.
 */
export function buildSummary(result: PushResultWithChildren, options: SummaryOptions = {}): string {
  const lines: string[] = [];
  lines.push(`### Image pushed: ${code(result.image)}`, '');
  lines.push('| Reference | Digest |', '| --- | --- |');
  for (const reference of result.references) lines.push(`| ${code(reference)} | ${code(result.digest)} |`);
  lines.push('', `Root: ${code(result.mediaType)}, ${formatBytes(result.size)}.`, '');

  const children = childrenOf(result);
  if (children.length > 0) {
    lines.push('| Platform | Manifest | Size |', '| --- | --- | ---: |');
    for (const child of children) {
      lines.push(
        `| ${cell(formatPlatform(child.platform))} | ${code(shortDigest(child.digest))} | ${formatBytes(child.size)} |`,
      );
    }
    lines.push('');
  }

  const byRepository = Map.groupBy(result.blobs, (blob) => blob.repository);
  for (const [repository, blobs] of byRepository) {
    if (byRepository.size > 1) lines.push(`#### Blobs in ${code(repository)}`, '');
    lines.push('| Blob | Size | What happened | Time | Throughput |', '| --- | ---: | --- | ---: | ---: |');
    // Largest first: the rows that matter for the push time come at the top.
    for (const blob of [...blobs].sort((a, b) => b.size - a.size)) {
      const moved = blob.action === 'uploaded';
      lines.push(
        `| ${code(shortDigest(blob.digest))} | ${formatBytes(blob.size)} | ${blobOutcome(blob)} | ` +
          `${moved ? formatSeconds(blob.seconds) : '–'} | ${moved ? formatRate(blob.size, blob.seconds) : '–'} |`,
      );
    }
    lines.push('');
  }

  lines.push(...totals(result, options));
  return `${lines.join('\n')}\n`;
}

/** What happened to one blob, in the words of the summary table. */
export function blobOutcome(blob: BlobReport): string {
  // Read as a string: later pushes may report more actions (a cross-repository mount) than the type has today.
  const action: string = blob.action;
  if (blob.fromBlobMap) return 'from blob map';
  if (action === 'mounted') return 'mounted';
  if (action === 'uploaded') return blob.compressed ? 'compressed + uploaded' : 'uploaded';
  if (action === 'skipped') return blob.compressed ? 'compressed, then skipped' : 'skipped';
  return cell(action);
}

function totals(result: PushResultWithChildren, options: SummaryOptions): string[] {
  const { all, uploaded, notSent } = tallyBlobs(result.blobs);
  const lines = [
    `**Totals:** ${count(all.count, 'blob')}, ${formatBytes(all.bytes)}: ` +
      `${uploaded.count} uploaded (${formatBytes(uploaded.bytes)}), ${notSent.count} skipped. ` +
      `**Saved by skipping:** ${formatBytes(notSent.bytes)}.`,
  ];
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

/** Table-safe text: a `|` would end the cell, `<` could open HTML. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('<', '&lt;');
}

/** A code span; HTML entities would show literally inside one, so only `|` is escaped. */
function code(text: string): string {
  return `\`${text.replaceAll('|', '\\|').replaceAll('`', "'")}\``;
}

/**
 * Appends the summary to the job's summary file. Returns false where there is none (a run outside Actions,
 * a runner too old for summaries): a push that worked must not fail over its report.
 */
export async function writeSummary(
  result: PushResultWithChildren,
  options: SummaryOptions = {},
): Promise<boolean> {
  if (!process.env.GITHUB_STEP_SUMMARY) return false;
  await core.summary.addRaw(buildSummary(result, options), true).write();
  return true;
}

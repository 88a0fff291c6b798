// The block structure of the job summary's markdown, as GitHub's renderer (GFM with raw HTML) reads it, for
// assertions on its parts (report.test.ts also renders it to HTML with `marked`). It reads the few constructs
// the summary uses, strictly: an unclosed fence or <details>, a table row whose cell
// count differs from its header, or a table inside <details> without the blank lines GFM needs is an error.
import assert from 'node:assert/strict';

export type Block =
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'code'; lang: string; lines: string[] }
  | { kind: 'table'; header: string[]; rows: string[][] }
  | { kind: 'details'; summary: string; blocks: Block[] };

/** Cells of a GFM table row; `\|` stays inside a cell. */
export function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

export function parseBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  let i = 0;
  const parse = (inDetails: boolean): Block[] => {
    const blocks: Block[] = [];
    while (i < lines.length) {
      const line = lines[i]!;
      if (line.trim() === '') {
        i++;
        continue;
      }
      if (line === '</details>') {
        assert.ok(inDetails, `line ${i + 1}: </details> without <details>`);
        i++;
        return blocks;
      }
      if (line === '<details>') {
        i++;
        const summary = /^<summary>(.*)<\/summary>$/.exec(lines[i] ?? '');
        assert.ok(summary, `line ${i + 1}: <details> must be followed by a one-line <summary>`);
        i++;
        assert.equal(
          lines[i],
          '',
          `line ${i + 1}: GFM renders markdown in <details> only after a blank line`,
        );
        blocks.push({ kind: 'details', summary: summary[1]!, blocks: parse(true) });
        assert.equal(lines[i - 2], '', 'GFM needs a blank line before </details>');
        continue;
      }
      assert.ok(!/^<(?!\/?(details|summary)>)/.test(line), `line ${i + 1}: unexpected raw HTML: ${line}`);
      const heading = /^(#{1,6}) (.*)$/.exec(line);
      if (heading) {
        blocks.push({ kind: 'heading', level: heading[1]!.length, text: heading[2]! });
        i++;
        continue;
      }
      const fence = /^```(\w*)$/.exec(line);
      if (fence) {
        const start = i++;
        const body: string[] = [];
        while (i < lines.length && lines[i] !== '```') body.push(lines[i++]!);
        assert.ok(i < lines.length, `line ${start + 1}: unclosed code fence`);
        i++;
        blocks.push({ kind: 'code', lang: fence[1]!, lines: body });
        continue;
      }
      if (line.startsWith('|')) {
        const header = cells(line);
        const delimiter = cells(lines[i + 1] ?? '');
        assert.ok(
          delimiter.length === header.length && delimiter.every((c) => /^:?-+:?$/.test(c)),
          `line ${i + 2}: a table header must be followed by a delimiter row of ${header.length} cells`,
        );
        i += 2;
        const rows: string[][] = [];
        while (i < lines.length && lines[i]!.startsWith('|')) {
          const row = cells(lines[i]!);
          assert.equal(
            row.length,
            header.length,
            `line ${i + 1}: ${row.length} cells under ${header.length}`,
          );
          rows.push(row);
          i++;
        }
        blocks.push({ kind: 'table', header, rows });
        continue;
      }
      const text: string[] = [];
      while (i < lines.length && lines[i]!.trim() !== '' && !/^(\||```|#|<\/?details>)/.test(lines[i]!)) {
        text.push(lines[i++]!);
      }
      blocks.push({ kind: 'paragraph', text: text.join(' ') });
    }
    assert.ok(!inDetails, 'unclosed <details>');
    return blocks;
  };
  return parse(false);
}

/** Every table, also those inside <details>, in document order. */
export function tablesOf(blocks: readonly Block[]): Extract<Block, { kind: 'table' }>[] {
  return blocks.flatMap((b) => (b.kind === 'table' ? [b] : b.kind === 'details' ? tablesOf(b.blocks) : []));
}

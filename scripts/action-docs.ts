// Writes the README's tables of inputs and outputs from action.yml, so the two never drift.
// `npm run docs` rewrites README.md between the markers; `npm run docs -- --check` only fails when it is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as prettier from 'prettier';

export const START = '<!-- action-inputs:start -->';
export const END = '<!-- action-inputs:end -->';

export interface ActionInput {
  readonly name: string;
  readonly description: string;
  readonly required: boolean;
  readonly default: string | undefined;
}

export interface ActionOutput {
  readonly name: string;
  readonly description: string;
}

export interface ActionMetadata {
  readonly inputs: ActionInput[];
  readonly outputs: ActionOutput[];
}

interface Line {
  readonly number: number;
  readonly indent: number;
  readonly text: string;
}

/**
 * Reads the subset of YAML that action.yml uses: nested maps by indentation, plain and quoted scalars, and
 * `>`/`|` block scalars (with `-`/`+` chomping). Anything else (flow collections, anchors, sequences under
 * inputs) is refused with the line number, so a new construct fails loudly instead of rendering wrongly.
 */
export function parseActionYaml(text: string): ActionMetadata {
  const root = parseMap(toLines(text), 0, 0).map;
  const inputs = Object.entries(asMap(root.inputs ?? {}, 'inputs')).map(([name, value]) => {
    const fields = asMap(value, `inputs.${name}`);
    return {
      name,
      description: asText(fields.description ?? '', `inputs.${name}.description`),
      required: asText(fields.required ?? 'false', `inputs.${name}.required`) === 'true',
      default: fields.default === undefined ? undefined : asText(fields.default, `inputs.${name}.default`),
    };
  });
  const outputs = Object.entries(asMap(root.outputs ?? {}, 'outputs')).map(([name, value]) => ({
    name,
    description: asText(asMap(value, `outputs.${name}`).description ?? '', `outputs.${name}.description`),
  }));
  return { inputs, outputs };
}

type Value = string | { [key: string]: Value };

function asMap(value: Value, where: string): Record<string, Value> {
  if (typeof value === 'string') throw new Error(`action.yml: ${where} should be a map, not "${value}"`);
  return value;
}

function asText(value: Value, where: string): string {
  if (typeof value !== 'string') throw new Error(`action.yml: ${where} should be a text value, not a map`);
  return value;
}

function toLines(text: string): Line[] {
  return text.split(/\r?\n/).map((raw, i) => ({
    number: i + 1,
    indent: raw.length - raw.trimStart().length,
    text: raw.trimEnd(),
  }));
}

const isBlank = (line: Line): boolean => line.text.trim() === '' || line.text.trimStart().startsWith('#');

/** The map whose keys sit at `indent`, from line `start`; returns it and the index of the first line after. */
function parseMap(
  lines: Line[],
  start: number,
  indent: number,
): { map: Record<string, Value>; next: number } {
  const map: Record<string, Value> = {};
  let i = start;
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line)) {
      i++;
      continue;
    }
    if (line.indent < indent) break;
    if (line.indent > indent) throw new Error(`action.yml line ${line.number}: unexpected indentation`);
    const match = /^([A-Za-z0-9_.-]+):(?:\s+(.*))?$/.exec(line.text.trim());
    if (!match) throw new Error(`action.yml line ${line.number}: expected "key: value", got "${line.text}"`);
    const key = match[1]!;
    const rest = stripComment(match[2] ?? '');
    if (rest === '') {
      const child = nextContentLine(lines, i + 1);
      if (child !== undefined && lines[child]!.indent > indent) {
        const nested = parseMap(lines, child, lines[child]!.indent);
        map[key] = nested.map;
        i = nested.next;
      } else {
        map[key] = '';
        i++;
      }
    } else if (/^[>|][+-]?$/.test(rest)) {
      const block = parseBlock(lines, i + 1, indent, rest);
      map[key] = block.text;
      i = block.next;
    } else {
      // A plain value may go on over deeper-indented lines, which fold into it with spaces.
      let value = rest;
      for (i++; i < lines.length && lines[i]!.indent > indent && !isBlank(lines[i]!); i++) {
        const next = lines[i]!;
        if (/^['"]/.test(rest)) throw unclosed(next.number);
        if (/^[\w.-]+:(\s|$)/.test(next.text.trim())) {
          throw new Error(`action.yml line ${next.number}: unexpected indentation`);
        }
        value += ` ${stripComment(next.text.trim())}`;
      }
      map[key] = parseScalar(value, line.number);
    }
  }
  return { map, next: i };
}

function nextContentLine(lines: Line[], from: number): number | undefined {
  for (let i = from; i < lines.length; i++) if (!isBlank(lines[i]!)) return i;
  return undefined;
}

/** A `>` (folded) or `|` (literal) block: the lines indented deeper than its key. */
function parseBlock(
  lines: Line[],
  start: number,
  keyIndent: number,
  header: string,
): { text: string; next: number } {
  const body: string[] = [];
  let indent: number | undefined;
  let i = start;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.text.trim() === '') {
      body.push('');
      continue;
    }
    if (line.indent <= keyIndent) break;
    indent ??= line.indent;
    body.push(line.text.slice(indent));
  }
  while (body.length > 0 && body.at(-1) === '') body.pop();
  const text = header.startsWith('>') ? fold(body) : body.join('\n');
  // Chomping: `-` strips the final newline, `+` and the default keep one (extra blank lines are not kept).
  return { text: header.endsWith('-') ? text : `${text}\n`, next: i };
}

/** Folding: lines join with a space, an empty line becomes a line break. */
function fold(lines: string[]): string {
  let text = '';
  let previousBlank = true;
  for (const line of lines) {
    if (line === '') {
      text += '\n';
      previousBlank = true;
    } else {
      text += previousBlank ? line : ` ${line}`;
      previousBlank = false;
    }
  }
  return text;
}

function stripComment(value: string): string {
  if (value.startsWith("'") || value.startsWith('"')) return value.trim();
  const hash = value.search(/\s#/);
  return (hash === -1 ? value : value.slice(0, hash)).trim();
}

function parseScalar(value: string, lineNumber: number): string {
  if (value.startsWith("'")) {
    if (!value.endsWith("'") || value.length < 2) throw unclosed(lineNumber);
    return value.slice(1, -1).replaceAll("''", "'");
  }
  if (value.startsWith('"')) {
    if (!value.endsWith('"') || value.length < 2) throw unclosed(lineNumber);
    return JSON.parse(value) as string;
  }
  if (/^[[{&*!]/.test(value)) {
    throw new Error(`action.yml line ${lineNumber}: "${value}" uses YAML this script does not read`);
  }
  return value;
}

const unclosed = (lineNumber: number): Error =>
  new Error(`action.yml line ${lineNumber}: a quoted value must open and close on one line`);

/** One table cell: one line, pipes escaped so they do not split the cell. */
function cell(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replaceAll('|', '\\|')
    .trim();
}

export function renderActionDocs(meta: ActionMetadata): string {
  const inputs = meta.inputs.map(
    (input) =>
      `| \`${input.name}\` | ${input.required ? 'yes' : ''} | ${input.default ? `\`${cell(input.default)}\`` : ''} | ${cell(input.description)} |`,
  );
  const outputs = meta.outputs.map((output) => `| \`${output.name}\` | ${cell(output.description)} |`);
  return [
    START,
    '<!-- Written by `npm run docs` from action.yml: edit action.yml, then run it. -->',
    '',
    '### Inputs',
    '',
    '| input | required | default | description |',
    '| --- | --- | --- | --- |',
    ...inputs,
    '',
    '### Outputs',
    '',
    '| output | description |',
    '| --- | --- |',
    ...outputs,
    '',
    END,
  ].join('\n');
}

/** The README with the text between the markers (markers included) replaced by `block`. */
export function replaceBetweenMarkers(readme: string, block: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`README.md lacks the markers ${START} ... ${END}: put them where the tables belong`);
  }
  return readme.slice(0, start) + block + readme.slice(end + END.length);
}

/** The README as `npm run docs` would write it: tables from action.yml, then Prettier (as `npm run lint` checks). */
export async function expectedReadme(
  root: string,
): Promise<{ path: string; current: string; expected: string }> {
  const path = join(root, 'README.md');
  const [actionYaml, current] = await Promise.all([
    readFile(join(root, 'action.yml'), 'utf8'),
    readFile(path, 'utf8'),
  ]);
  const updated = replaceBetweenMarkers(current, renderActionDocs(parseActionYaml(actionYaml)));
  const options = (await prettier.resolveConfig(path)) ?? {};
  return { path, current, expected: await prettier.format(updated, { ...options, filepath: path }) };
}

async function main(args: string[]): Promise<void> {
  const root = join(import.meta.dirname, '..');
  const { path, current, expected } = await expectedReadme(root);
  if (args.includes('--check')) {
    if (current !== expected) {
      process.stderr.write(
        "README.md's inputs/outputs tables differ from action.yml: run 'npm run docs' and commit README.md\n",
      );
      process.exitCode = 1;
    }
    return;
  }
  if (current !== expected) await writeFile(path, expected);
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`action-docs: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}

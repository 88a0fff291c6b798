// `npm run mutate [group...]`: runs Stryker once per group of test/mutation/targets.json (each group's source
// files against the fast tests that guard them), then writes test/mutation/report.md from every group's JSON
// report: the score per file and each surviving mutant, with its triage from test/mutation/triage.json (why
// it is harmless, or the test that now kills it). Slow (minutes per group on two cores): not part of `npm test`.
//
// To add a module: a group in targets.json (its files, its fast tests). When a file moves, change its path there.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Group {
  readonly name: string;
  readonly mutate: readonly string[];
  readonly tests: readonly string[];
}

interface Mutant {
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly status: string;
  readonly location: { readonly start: { readonly line: number; readonly column: number } };
}

const root = join(import.meta.dirname, '../..');
const here = join(root, 'test/mutation');
const groups = JSON.parse(readFileSync(join(here, 'targets.json'), 'utf8')) as Group[];
const triage = JSON.parse(readFileSync(join(here, 'triage.json'), 'utf8')) as Record<string, string>;
const reportOf = (name: string): string => join(root, 'reports/mutation', `${name}.json`);

const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const reportOnly = process.argv.includes('--report-only');
for (const name of asked) {
  if (!groups.some((g) => g.name === name))
    throw new Error(`no group "${name}" in test/mutation/targets.json`);
}
if (!reportOnly) {
  for (const group of groups.filter((g) => asked.length === 0 || asked.includes(g.name))) {
    console.log(`mutating ${group.mutate.join(', ')} against ${group.tests.join(', ')}`);
    const run = spawnSync('npx', ['stryker', 'run'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, MUTATE_GROUP: group.name },
    });
    if (run.status !== 0) throw new Error(`stryker failed on group ${group.name} (exit ${run.status})`);
  }
}

/** The key a triage note is filed under: file, line, mutator and replacement (stable while the line is). */
const keyOf = (file: string, m: Mutant): string =>
  `${file}:${m.location.start.line}:${m.mutatorName}:${m.replacement ?? ''}`;

const rows: string[] = [];
const survivors: string[] = [];
for (const group of groups) {
  if (!existsSync(reportOf(group.name))) {
    rows.push(`| ${group.mutate.join(', ')} | not run | | | | |`);
    continue;
  }
  const report = JSON.parse(readFileSync(reportOf(group.name), 'utf8')) as {
    files: Record<string, { source: string; mutants: Mutant[] }>;
  };
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    const count = (...statuses: string[]): number =>
      mutants.filter((m) => statuses.includes(m.status)).length;
    const killed = count('Killed', 'Timeout');
    const survived = mutants.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage');
    const valid = killed + survived.length;
    const score = valid === 0 ? 100 : (100 * killed) / valid;
    const harmless = survived.filter((m) => triage[keyOf(file, m)]?.startsWith('harmless')).length;
    rows.push(
      `| ${file} | ${score.toFixed(1)}% | ${killed} | ${survived.length} | ${harmless} | ${group.tests.map((t) => t.replace('test/unit/', '')).join(', ')} |`,
    );
    const lines = source.split('\n');
    for (const m of survived.sort((a, b) => a.location.start.line - b.location.start.line)) {
      const line = (lines[m.location.start.line - 1] ?? '').trim();
      const note = triage[keyOf(file, m)] ?? 'NOT TRIAGED';
      survivors.push(
        `- \`${file}:${m.location.start.line}\` ${m.mutatorName} \`${(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 70)}\` in \`${line.slice(0, 80)}\`: ${note}`,
      );
    }
  }
}

writeFileSync(
  join(here, 'report.md'),
  [
    '# Mutation testing: the modules that keep secrets and tags safe',
    '',
    'Written by `npm run mutate` (StrykerJS, command runner, `node --test` on the fast in-process tests of each',
    'group in `targets.json`). Killed counts include timeouts (a mutant that hangs the tests is caught).',
    'A surviving mutant is triaged in `triage.json`: "harmless: why", or the test that now kills it.',
    '',
    '| file | score | killed | survived | of which harmless | tests |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    '## Surviving mutants',
    '',
    ...(survivors.length ? survivors : ['none']),
    '',
    ...(existsSync(join(here, 'notes.md')) ? [readFileSync(join(here, 'notes.md'), 'utf8')] : []),
  ].join('\n'),
);
console.log(`wrote test/mutation/report.md (${survivors.length} surviving mutants)`);

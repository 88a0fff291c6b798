// @ts-check
// Mutation testing of the modules that keep secrets and tags safe, one group at a time: `npm run mutate` runs
// every group of test/mutation/targets.json (each group's files against only the fast tests that claim to
// guard them), `npm run mutate -- <group>` one of them. Node runs the TypeScript itself (type stripping), so
// Stryker's command runner runs `node --test` and no checker or build step is needed.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const targets = JSON.parse(readFileSync(new URL('./test/mutation/targets.json', import.meta.url), 'utf8'));
const name = process.env.MUTATE_GROUP ?? targets[0].name;
const group = targets.find((t) => t.name === name);
if (!group) throw new Error(`no mutation group "${name}" in test/mutation/targets.json`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'command',
  commandRunner: { command: `node --test --test-reporter=dot ${group.tests.join(' ')}` },
  mutate: group.mutate,
  coverageAnalysis: 'off',
  reporters: ['json', 'clear-text', 'progress'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  tempDirName: '.stryker-tmp',
  concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 2),
  timeoutMS: 5_000,
  timeoutFactor: 2,
  ignorePatterns: ['dist', 'bench/results', '.tmp'],
};

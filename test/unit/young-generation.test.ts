// A push of many small manifests (an index of 5,000 children) makes some 30,000 requests, a few always in flight
// when V8 collects its young generation; V8 then grew that generation to 128 MB and kept it (issue 21 case 6:
// 278 MB peak RSS). openSession keeps it at its starting size. The check runs in a child process: the flag and
// the young generation's size are per process, and this runner's may have grown already.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

const script = (open: boolean): string => `
import { getHeapSpaceStatistics } from 'node:v8';
import { silentLogger } from './src/log.ts';
import { openSession } from './src/engine/session.ts';
const young = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
if (${open}) {
  const session = await openSession({ destinations: ['127.0.0.1:5999/a/b:1'], concurrency: 2, dockerConfig: false, logger: silentLogger });
  await session.close();
}
const before = young();
// Work like a request stream: short-lived garbage, with a rolling window of objects alive across collections.
const window = new Array(4000);
for (let i = 0; i < 600_000; i++) window[i % window.length] = { i, text: 'x'.repeat(200) + i, list: [i, i + 1] };
console.log(JSON.stringify({ before, after: young() }));
`;

/** The young generation's size before the work and after it. */
async function youngGeneration(open: boolean): Promise<{ before: number; after: number }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '--eval', script(open)],
    { cwd: new URL('../..', import.meta.url), timeout: 60_000 },
  );
  return JSON.parse(stdout) as { before: number; after: number };
}

test('a session keeps the young generation at its starting size under request-like work', async () => {
  const [kept, grown] = await Promise.all([youngGeneration(true), youngGeneration(false)]);
  // Without the session's setting the same work grows it (else this test could not fail).
  assert.ok(grown.after >= 2 * grown.before, `without a session it only went ${JSON.stringify(grown)}`);
  assert.equal(kept.after, kept.before, 'with a session the young generation grew');
});

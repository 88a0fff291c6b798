// undici's HTTP parser is WebAssembly; V8 recompiles a hot function of it with TurboFan on a background thread,
// and a process cannot exit while that job runs. A short push (a mount's dozen requests) used to wait for it at
// exit (~30 ms, 24 MB). image-push's agents raise the tiering budget (src/undici.ts), so a run of a few dozen
// answers stays on baseline code. Checked in child processes with V8's compilation trace, against the same
// requests through undici's own Agent, which must tier up (else this test could not fail).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { promisify } from 'node:util';

const REQUESTS = 40;

const script = (ours: boolean, origin: string): string => `
import { Agent, request } from './src/undici.ts';
import UndiciAgent from 'undici/lib/dispatcher/agent.js';
const dispatcher = ${ours ? 'new Agent()' : 'new UndiciAgent()'};
for (let i = 0; i < ${REQUESTS}; i++) {
  const res = await request('${origin}/v2/', { dispatcher });
  await res.body.dump();
}
await dispatcher.close();
`;

/** How many functions the child compiled with TurboFan (V8 prints one line per compiled WebAssembly function). */
async function turbofanCompiles(ours: boolean, origin: string): Promise<number> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--trace-wasm-compilation-times', '--input-type=module', '--eval', script(ours, origin)],
    { cwd: new URL('../..', import.meta.url), timeout: 60_000 },
  );
  assert.match(stdout, /using Liftoff/, 'the trace shows no WebAssembly compilation at all');
  return stdout.split('\n').filter((line) => line.includes('using TurboFan')).length;
}

test("image-push's agents keep undici's parser on baseline code for a short run: no compile job to wait for at exit", async () => {
  const server = createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'docker-distribution-api-version': 'registry/2.0',
      'x-content-type-options': 'nosniff',
    });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const [ours, theirs] = await Promise.all([
      turbofanCompiles(true, origin),
      turbofanCompiles(false, origin),
    ]);
    assert.ok(
      theirs > 0,
      `${REQUESTS} answers through undici's own Agent did not tier up: the check proves nothing`,
    );
    assert.equal(ours, 0, `${REQUESTS} answers through image-push's Agent: ${ours} TurboFan compiles`);
  } finally {
    server.close();
  }
});

// A registry that is still starting when the push begins (a `docker run -d registry` or `services:` container
// just before the step): a refused connection is retried for a few seconds, then it fails with its hint.
// The "registry" that starts late is a plain TCP relay to the real one, opened on a reserved port after a delay.
import assert from 'node:assert/strict';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { push } from '../../src/push/push.ts';
import { REFUSED_WINDOW_MS } from '../../src/registry/transport/retry-policy.ts';
import { writeOciLayout, type SampleImage } from '../helpers/sample-image.ts';
import { rejectsWithLine } from '../helpers/assert.ts';
import { recordingLogger } from '../helpers/log.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { freePort } from '../helpers/server-process.ts';
import { inspectRaw } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';

let registry: TestRegistry;
let layout: string;
let image: SampleImage;
const relays: Server[] = [];

before(async () => {
  await ensureTools(['docker-registry', 'skopeo']);
  registry = await startRegistry();
  layout = join(await makeTempDir('registry-starting-'), 'layout');
  image = await writeOciLayout(layout, { layers: [{ size: 20_000 }], seed: 31 });
});

after(async () => {
  for (const relay of relays) relay.close();
  await registry.stop();
});

/** Starts relaying `port` to the registry after `delayMs`. */
function relayLater(port: number, delayMs: number): void {
  const [host, target] = registry.host.split(':') as [string, string];
  setTimeout(() => {
    const relay = createServer((socket) => {
      const upstream = createConnection({ host, port: Number(target) });
      socket.pipe(upstream).pipe(socket);
      const close = (): void => {
        socket.destroy();
        upstream.destroy();
      };
      socket.on('error', close);
      upstream.on('error', close);
    });
    relay.listen(port, '127.0.0.1');
    relays.push(relay);
  }, delayMs).unref();
}

describe('a registry that is not listening yet', () => {
  test('starting within the window: the push waits for it and succeeds, and the log says why', async () => {
    const port = await freePort();
    relayLater(port, 1000);
    const logger = recordingLogger();
    const result = await push({
      source: `oci:${layout}`,
      destinations: [`127.0.0.1:${port}/late/app:1`],
      concurrency: 2,
      logger,
    });
    assert.equal(result.digest, image.manifestDigest);
    assert.equal((await inspectRaw(`${registry.host}/late/app:1`)).length, image.manifestSize);
    assert.ok(
      logger.lines.some((l) => /connection refused \(still starting\?\), retry 1 of 5/.test(l)),
      logger.lines.join('\n'),
    );
  });

  test('never listening: the same error as before, after the short window only', async () => {
    const port = await freePort();
    const started = Date.now();
    await rejectsWithLine(
      push({
        source: `oci:${layout}`,
        destinations: [`127.0.0.1:${port}/never/app:1`],
        concurrency: 2,
        logger: recordingLogger(),
      }),
      /cannot reach 127\.0\.0\.1:\d+: .*ECONNREFUSED.*is the registry running, and on this port\?/,
    );
    const took = Date.now() - started;
    assert.ok(took >= REFUSED_WINDOW_MS - 500 && took < REFUSED_WINDOW_MS + 3000, `failed after ${took} ms`);
  });
});

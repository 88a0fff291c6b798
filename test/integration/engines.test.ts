// docker-daemon: on every engine people run: Docker 20.10 and Docker 26 with the classic store, Docker 26 with the
// containerd image store, and Podman's Docker API. In each, an image the engine built (BuildKit where it has one)
// and one loaded from a tarball are pushed, then pulled on an empty engine of the same kind: same image ID, same
// layers. On the containerd store the pushed digest is the image ID and what `docker push` gives.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/log.ts';
import { push, type PushOptions } from '../../src/push/push.ts';
import type { PushResult } from '../../src/push/result.ts';
import { layerTar, writeDockerSave } from '../helpers/docker-save.ts';
import { CELLS, cellSkip, startCell, type Cell } from '../helpers/engine-cells.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { inspectRaw } from '../helpers/skopeo.ts';
import { ensureTools, makeTempDir } from '../helpers/tools.ts';
import { sha256Digest } from '../../src/oci/digest.ts';

let registry: TestRegistry;
let work: string;

/**
 * Text that compresses, then random bytes that do not: at 1.6 MB and more, over 1 MiB stored, so the layer
 * streams as a large blob from the containerd store's save.
 */
function content(seed: number, bytes: number): Buffer {
  const text = Buffer.from(`seed ${seed}: the quick brown fox jumps over the lazy dog\n`.repeat(bytes / 240));
  return Buffer.concat([text, randomBytes(Math.round(bytes * 0.75))]);
}

before(async () => {
  await ensureTools(['docker-registry', 'skopeo', 'dockerd', 'docker', 'podman', 'buildah']);
  [registry, work] = await Promise.all([startRegistry(), makeTempDir('engines-')]);
});

after(async () => {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
});

/** Pushes from the engine at `dockerHost`, as the CLI would find it through DOCKER_HOST. */
async function pushFrom(
  cell: Cell,
  source: string,
  destination: string,
  extra: Partial<PushOptions> = {},
): Promise<PushResult> {
  const saved = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = cell.dockerHost;
  try {
    return await push({
      source,
      destinations: [`${registry.host}/${destination}`],
      concurrency: 4,
      logger: silentLogger,
      ...extra,
    });
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  }
}

for (const kind of CELLS) {
  describe(kind, { skip: cellSkip(kind) ?? false }, () => {
    let engine: Cell;
    /** An empty engine of the same kind that pulls the results. */
    let puller: Cell;
    const repo = kind.replace(/[^a-z0-9]/g, '');

    before(async () => {
      [engine, puller] = await Promise.all([startCell(kind), startCell(kind)]);
    });
    after(async () => {
      await Promise.all([engine.stop(), puller.stop()]);
    });

    /** Pulls `reference` on the empty engine: the same image ID and layers as `name` in the source engine. */
    async function assertSameImageAfterPull(name: string, reference: string): Promise<void> {
      await puller.pull(reference);
      const [original, pulled] = await Promise.all([engine.inspect(name), puller.inspect(reference)]);
      assert.equal(pulled.id, original.id);
      assert.deepEqual(pulled.layers, original.layers);
      await puller.docker(['image', 'rm', reference]);
    }

    test('an image the engine built: pushed, and pulled back as the same image', async () => {
      await engine.build('localhost/built:1', {
        'opt/big.bin': content(1, 1_600_000),
        'etc/small.conf': 'small = true\n',
      });
      const result = await pushFrom(engine, 'docker-daemon:localhost/built:1', `${repo}/built:1`);
      assert.equal(sha256Digest(await inspectRaw(`${registry.host}/${repo}/built:1`)), result.digest);
      await assertSameImageAfterPull('localhost/built:1', `${registry.host}/${repo}/built:1`);
      if (kind === 'docker-26-containerd') {
        // The store's manifest went up byte for byte: its digest is the image ID, and docker push's.
        const { id } = await engine.inspect('localhost/built:1');
        assert.equal(result.digest, id);
        await engine.docker(['tag', 'localhost/built:1', `${registry.host}/${repo}/by-docker:1`]);
        const out = (await engine.docker(['push', `${registry.host}/${repo}/by-docker:1`])).stdout;
        assert.equal(/digest: (sha256:[a-f0-9]{64})/.exec(out)?.[1], result.digest);
        assert.equal(result.blobs.filter((b) => b.action === 'uploaded').length, 3);
        assert.equal(result.bytesCompressed, 0);
      }
    });

    test('an image loaded from a docker save tarball: pushed by its bare name, pulled back the same', async () => {
      const tarball = join(work, `${repo}-loaded.tar`);
      await writeDockerSave(tarball, 'localhost/loaded:1', [
        await layerTar({ 'data/one.bin': content(2, 1_700_000) }),
        await layerTar({ 'data/two.txt': 'two\n' }),
      ]);
      await engine.docker(['load', '-q', '-i', tarball]);
      const result = await pushFrom(engine, 'localhost/loaded:1', `${repo}/loaded:1`);
      await assertSameImageAfterPull('localhost/loaded:1', `${registry.host}/${repo}/loaded:1`);
      if (kind === 'docker-26-containerd')
        assert.equal(result.digest, (await engine.inspect('localhost/loaded:1')).id);
    });

    if (kind === 'docker-26-containerd') {
      test('a re-push where the registry has the base layers sends only the new one', async () => {
        const base = { 'base/a.bin': content(3, 1_600_000), 'base/b.bin': content(4, 1_800_000) };
        await engine.build('localhost/reuse:1', base);
        await engine.build('localhost/reuse:2', { ...base, 'app/new.bin': content(5, 1_600_000) });
        await pushFrom(engine, 'localhost/reuse:1', `${repo}/reuse:1`);
        const second = await pushFrom(engine, 'localhost/reuse:2', `${repo}/reuse:2`);
        const layers = second.blobs.filter(
          (b) => b.mediaType.includes('layer') || b.mediaType.includes('rootfs'),
        );
        assert.deepEqual(
          layers.map((b) => b.action).sort(),
          ['skipped', 'skipped', 'uploaded'],
          JSON.stringify(second.blobs),
        );
        assert.equal(second.digest, (await engine.inspect('localhost/reuse:2')).id);
      });
    }
  });
}

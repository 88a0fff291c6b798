// docker-daemon: on every engine people run: Docker 20.10 and Docker 26 with the classic store, Docker 26 with the
// containerd image store, and Podman's Docker API. In each, an image the engine built (BuildKit where it has one)
// and one loaded from a tarball are pushed, then pulled on an empty engine of the same kind: same image ID, same
// layers. On the containerd store the pushed digest is the image ID and what `docker push` gives.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { connect, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/log.ts';
import { push, type PushOptions } from '../../src/push/push.ts';
import type { PushResult } from '../../src/engine/result.ts';
import { layerTar, writeDockerSave } from '../helpers/docker-save.ts';
import { CELLS, cellSkip, startCell, type Cell } from '../helpers/engine-cells.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { inspectRaw, listTags } from '../helpers/skopeo.ts';
import { rejectsWithLine } from '../helpers/assert.ts';
import { writeOciLayout } from '../helpers/sample-image.ts';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { startDockerd, type Dockerd } from '../helpers/dockerd.ts';
import { createClientCertificates, createTestCertificates, type TlsFiles } from '../helpers/tls.ts';
import { freePort } from '../helpers/server-process.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
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

const ENGINE_VARS = [
  'DOCKER_HOST',
  'DOCKER_CONTEXT',
  'DOCKER_CONFIG',
  'DOCKER_TLS_VERIFY',
  'DOCKER_CERT_PATH',
  'PATH',
];

/** Pushes with these engine variables set (the others of ENGINE_VARS unset but PATH), as the CLI would see them. */
async function pushWith(
  vars: Record<string, string>,
  source: string,
  destination: string,
  extra: Partial<PushOptions> = {},
  host = registry.host,
): Promise<PushResult> {
  const saved = Object.fromEntries(ENGINE_VARS.map((name) => [name, process.env[name]]));
  for (const name of ENGINE_VARS) if (name !== 'PATH') Reflect.deleteProperty(process.env, name);
  Object.assign(process.env, vars);
  try {
    return await push({
      source,
      destinations: [`${host}/${destination}`],
      concurrency: 4,
      logger: silentLogger,
      ...extra,
    });
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  }
}

/** Pushes from the engine at `dockerHost`, as the CLI would find it through DOCKER_HOST. */
function pushFrom(
  cell: Cell,
  source: string,
  destination: string,
  extra: Partial<PushOptions> = {},
): Promise<PushResult> {
  return pushWith({ DOCKER_HOST: cell.dockerHost }, source, destination, extra);
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

      test('a re-run whose destination holds the image ID reads it back from the registry, with no docker save', async () => {
        await engine.build('localhost/again:1', { 'opt/again.bin': content(6, 1_600_000) });
        const first = await pushFrom(engine, 'localhost/again:1', `${repo}/again:1`);
        // The same push through a socket that records every Engine API request.
        const recorded: string[] = [];
        const socket = join(work, 'recording.sock');
        const target = engine.dockerHost.replace(/^unix:\/\//, '');
        const proxy = createNetServer((client) => {
          const upstream = connect(target);
          client.on('data', (chunk: Buffer) => {
            recorded.push(...(chunk.toString('latin1').match(/^(GET|POST|HEAD) \S+/gm) ?? []));
          });
          client.pipe(upstream).pipe(client);
          upstream.on('error', () => client.destroy());
          client.on('error', () => upstream.destroy());
        });
        await new Promise<void>((resolve) => proxy.listen(socket, resolve));
        try {
          const again = await pushFrom(
            { ...engine, dockerHost: `unix://${socket}` },
            'localhost/again:1',
            `${repo}/again:1`,
          );
          assert.equal(again.digest, first.digest);
          assert.equal(again.digest, (await engine.inspect('localhost/again:1')).id);
          assert.ok(
            recorded.some((line) => /\/images\/[^/]+\/json/.test(line)),
            `inspected: ${recorded.join(', ')}`,
          );
          assert.ok(!recorded.some((line) => /\/get\b/.test(line)), `no save: ${recorded.join(', ')}`);
          assert.deepEqual(
            again.blobs.filter((b) => b.action === 'uploaded'),
            [],
          );
        } finally {
          await new Promise<void>((resolve) => proxy.close(() => resolve()));
        }
      });

      test('an upload cut in the middle of a streamed blob: the retry reads that blob from a fresh save', async () => {
        await engine.build('localhost/cut:1', { 'cut/big.bin': content(8, 2_400_000) });
        const proxy = await startFaultProxy(registry.url);
        const bodies: number[] = [];
        proxy.setFaults({
          resetAfterBytes: 300_000,
          faultFilter: ({ method, path }) => {
            if (!['PUT', 'PATCH'].includes(method) || !path.includes('/blobs/uploads/')) return false;
            bodies.push(bodies.length);
            return bodies.length === 1 ? 'reset' : false;
          },
        });
        let result: PushResult;
        try {
          result = await pushWith(
            { DOCKER_HOST: engine.dockerHost },
            'localhost/cut:1',
            `${repo}/cut:1`,
            {},
            proxy.host,
          );
          const cut = proxy.requests().filter((r) => r.fault === 'reset');
          assert.equal(cut.length, 1);
          assert.ok(cut[0]!.requestBytes > 0, 'the reset came in the middle of a body');
        } finally {
          await proxy.close();
        }
        assert.equal(result.digest, (await engine.inspect('localhost/cut:1')).id);
        await assertSameImageAfterPull('localhost/cut:1', `${registry.host}/${repo}/cut:1`);
      });

      test('a multi-platform index of which the engine holds one platform: that one with platforms, else a clear error', async () => {
        const index = await writeTwoPlatformLayout(join(work, 'multi'));
        await pushWith({}, `oci:${join(work, 'multi')}`, `${repo}/multi:1`);
        const name = `${registry.host}/${repo}/multi:1`;
        await engine.docker(['pull', '-q', '--platform', 'linux/amd64', name]);
        assert.equal((await engine.inspect(name)).id, index.digest);

        await rejectsWithLine(
          pushFrom(engine, `docker-daemon:${name}`, `${repo}/multi-copy:1`),
          /lists 2 manifests, but the source holds only linux\/amd64; missing: linux\/arm64\. push what is there with the platforms input linux\/amd64/,
        );
        assert.deepEqual(await listTags(`${registry.host}/${repo}/multi-copy`), []);
        const result = await pushFrom(engine, `docker-daemon:${name}`, `${repo}/multi-copy:1`, {
          platforms: [{ os: 'linux', architecture: 'amd64' }],
        });
        const pushed = JSON.parse(
          (await inspectRaw(`${registry.host}/${repo}/multi-copy:1`)).toString('utf8'),
        ) as {
          manifests: { digest: string; platform: { architecture: string } }[];
        };
        assert.deepEqual(
          pushed.manifests.map((m) => [m.digest, m.platform.architecture]),
          [[index.amd64, 'amd64']],
        );
        assert.equal(sha256Digest(await inspectRaw(`${registry.host}/${repo}/multi-copy:1`)), result.digest);
        await puller.pull(`${registry.host}/${repo}/multi-copy:1`);
      });
    }
  });
}

/** An OCI layout whose index names a linux/amd64 and a linux/arm64 image. */
async function writeTwoPlatformLayout(dir: string): Promise<{ digest: string; amd64: string }> {
  const images = [
    await writeOciLayout(dir, { layers: [{ size: 2_000_000 }], seed: 11 }),
    await writeOciLayout(dir, {
      layers: [{ size: 300_000 }],
      seed: 12,
      platform: { os: 'linux', architecture: 'arm64' },
    }),
  ];
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: images.map((image, i) => ({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: image.manifestDigest,
        size: image.manifestSize,
        platform: { os: 'linux', architecture: i === 0 ? 'amd64' : 'arm64' },
      })),
    }),
  );
  const digest = sha256Digest(index);
  await writeFile(join(dir, 'blobs/sha256', digest.slice(7)), index);
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest, size: index.length }],
    }),
  );
  return { digest, amd64: images[0]!.manifestDigest };
}

describe('finding the engine as the docker CLI does', () => {
  let daemon: Dockerd;
  let tls: TlsFiles;
  let clientCerts: string;
  let tcpHost: string;
  let configDir: string;
  const IMAGE = 'localhost/found:1';

  before(async () => {
    tls = await createTestCertificates();
    clientCerts = await createClientCertificates(tls);
    const port = await freePort();
    tcpHost = `tcp://127.0.0.1:${port}`;
    // dockerd's own TLS: it checks the client's certificate against the CA (--tlsverify), loopback only.
    daemon = await startDockerd({
      extraArgs: [
        '--tlsverify',
        '--tlscacert',
        tls.caPath,
        '--tlscert',
        tls.certPath,
        '--tlskey',
        tls.keyPath,
        '--host',
        tcpHost,
      ],
    });
    const tarball = join(work, 'found.tar');
    await writeDockerSave(tarball, IMAGE, [await layerTar({ 'f/one.bin': content(7, 1_600_000) })]);
    await daemon.docker(['load', '-q', '-i', tarball]);
    configDir = await makeTempDir('docker-config-');
  });
  after(async () => {
    await daemon.stop();
    await Promise.all([tls.remove(), rm(clientCerts, { recursive: true, force: true })]);
    await rm(configDir, { recursive: true, force: true });
  });

  /** A context store entry, as `docker context create NAME --docker host=HOST` writes it. */
  async function writeContext(name: string, host: string): Promise<void> {
    const id = createHash('sha256').update(name).digest('hex');
    await mkdir(join(configDir, 'contexts/meta', id), { recursive: true });
    await writeFile(
      join(configDir, 'contexts/meta', id, 'meta.json'),
      JSON.stringify({
        Name: name,
        Metadata: {},
        Endpoints: { docker: { Host: host, SkipTLSVerify: false } },
      }),
    );
  }

  test("the config's currentContext names a context whose endpoint is a private socket", async () => {
    await writeContext('private', daemon.dockerHost);
    await writeFile(join(configDir, 'config.json'), JSON.stringify({ currentContext: 'private' }));
    const result = await pushWith({ DOCKER_CONFIG: configDir }, IMAGE, 'found/context:1');
    await assertSound(`${registry.host}/found/context:1`, result.digest);
    // DOCKER_CONTEXT wins over currentContext; a context that is not there is named, with the way out.
    await rejectsWithLine(
      pushWith({ DOCKER_CONFIG: configDir, DOCKER_CONTEXT: 'gone' }, IMAGE, 'found/none:1'),
      /context "gone" \(DOCKER_CONTEXT\): no such context\. `docker context ls` lists the contexts/,
    );
  });

  test('DOCKER_HOST=tcp:// with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH reaches a --tlsverify engine', async () => {
    const result = await pushWith(
      { DOCKER_HOST: tcpHost, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: clientCerts },
      `docker-daemon:${IMAGE}`,
      'found/tls:1',
    );
    await assertSound(`${registry.host}/found/tls:1`, result.digest);
    // Without TLS the engine refuses; the error names the engine, how it was chosen, and how to choose another.
    await rejectsWithLine(
      pushWith({ DOCKER_HOST: tcpHost }, IMAGE, 'found/plain:1'),
      new RegExp(`the Docker engine at ${tcpHost.replace(/\./g, '\\.')} \\(DOCKER_HOST\\) answered 400.*`),
    );
  });

  test('DOCKER_HOST=ssh:// runs `ssh [-p PORT] USER@HOST -- docker system dial-stdio`', async () => {
    // ssh itself stands in here (only loopback is a network target): the stand-in records its arguments and runs
    // the remote command locally, against the daemon's socket. Everything after it is the real dial-stdio.
    const bin = await makeTempDir('ssh-bin-');
    const argsFile = join(bin, 'args');
    await writeFile(
      join(bin, 'ssh'),
      [
        '#!/bin/sh',
        `printf '%s\\n' "$@" > '${argsFile}'`,
        'while [ $# -gt 0 ] && [ "$1" != "--" ]; do shift; done',
        'shift 2',
        `DOCKER_HOST='${daemon.dockerHost}' exec "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    try {
      const result = await pushWith(
        { DOCKER_HOST: 'ssh://tester@engine.example:2222', PATH: `${bin}:${process.env.PATH ?? ''}` },
        IMAGE,
        'found/ssh:1',
      );
      await assertSound(`${registry.host}/found/ssh:1`, result.digest);
      const args = (await readFile(argsFile, 'utf8')).trim().split('\n');
      assert.deepEqual(args.slice(args.indexOf('-p'), args.indexOf('-p') + 2), ['-p', '2222']);
      assert.deepEqual(args.slice(args.indexOf('--')), [
        '--',
        'tester@engine.example',
        'docker',
        'system',
        'dial-stdio',
      ]);
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });

  test('an engine that is not there: the error names the socket and how it was chosen, at once', async () => {
    const started = Date.now();
    await rejectsWithLine(
      pushWith({ DOCKER_HOST: `unix://${join(work, 'no.sock')}` }, IMAGE, 'found/absent:1'),
      /cannot reach the Docker engine at unix:\/\/.*no\.sock \(DOCKER_HOST\).*docker context use NAME/,
    );
    assert.ok(Date.now() - started < 10_000);
  });
});

/** The pushed manifest hashes to the reported digest, and skopeo reads the image back. */
async function assertSound(reference: string, digest: string): Promise<void> {
  assert.equal(sha256Digest(await inspectRaw(reference)), digest);
}

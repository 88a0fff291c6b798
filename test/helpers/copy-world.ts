// The two registries of the docker:// copy tests: A with htpasswd (the source), B with a token service (the
// destination), and in A a two-platform index with an SBOM whose subject is its amd64 image.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Digest } from '../../src/oci/digest.ts';
import type { Logger } from '../../src/log.ts';
import { silentLogger } from '../../src/log.ts';
import { push, type PushOptions } from '../../src/push/push.ts';
import type { PushResult } from '../../src/engine/result.ts';
import { writeMultiPlatformLayout, type SampleIndex } from '../../scripts/sample-image.ts';
import { startRegistry, type TestRegistry } from './registry.ts';
import { startTokenService, type TokenService } from './token-service.ts';
import { ensureTools, makeTempDir } from './tools.ts';

export const A_USER = { username: 'source-user', password: 'htpasswd-pa55' };
export const B_USER = { username: 'dest-user', password: 'token-pa55' };
export const A_CREDS = `${A_USER.username}:${A_USER.password}`;
export const B_CREDS = `${B_USER.username}:${B_USER.password}`;

export interface CopyWorld {
  readonly work: string;
  /** The source registry: htpasswd. */
  readonly a: TestRegistry;
  /** The destination registry: token auth. */
  readonly b: TestRegistry;
  readonly tokens: TokenService;
  /** In A as src/app:1 (and its OCI layout in `work`/layout). */
  readonly sample: SampleIndex;
  /** The SBOM whose subject is the amd64 image. */
  readonly sbom: { digest: string; size: number };
  stop(): Promise<void>;
}

export async function startCopyWorld(prefix: string): Promise<CopyWorld> {
  await ensureTools(['docker-registry', 'skopeo', 'openssl', 'htpasswd']);
  const work = await makeTempDir(prefix);
  const tokens = await startTokenService(work, { users: { [B_USER.username]: B_USER.password } });
  const [a, b] = await Promise.all([startRegistry({ htpasswd: A_USER }), startRegistry({ token: tokens })]);
  const layout = join(work, 'layout');
  const sample = await writeMultiPlatformLayout(layout, [
    {
      layers: [{ size: 3_000_000 }, { size: 40_000 }],
      seed: 61,
      platform: { os: 'linux', architecture: 'amd64' },
    },
    {
      layers: [{ size: 600_000 }, { size: 20_000 }],
      seed: 62,
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    },
  ]);
  const amd64 = sample.images[0]!;
  const sbom = await addReferrer(layout, amd64.manifestDigest, amd64.manifestSize);
  // The source is put in place with image-push from an OCI layout (checked against skopeo in other tests).
  await push({
    source: `oci:${layout}:latest`,
    destinations: [`${a.host}/src/app:1`],
    credentials: A_USER,
    dockerConfig: false,
    concurrency: 4,
    logger: silentLogger,
  });
  return {
    work,
    a,
    b,
    tokens,
    sample,
    sbom,
    stop: async () => {
      await Promise.all([a.stop(), b.stop(), tokens.stop()]);
    },
  };
}

/** Adds an SBOM artifact whose subject is `subject` to the layout (as oras or cosign store them). */
export async function addReferrer(
  dir: string,
  subject: string,
  subjectSize: number,
): Promise<{ digest: string; size: number }> {
  const blob = async (bytes: Buffer): Promise<{ digest: string; size: number }> => {
    const digest = sha256Digest(bytes);
    await writeFile(join(dir, 'blobs/sha256', digest.slice(7)), bytes);
    return { digest, size: bytes.length };
  };
  const empty = await blob(Buffer.from('{}'));
  const content = await blob(Buffer.from(JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'copy' })));
  const artifact = await blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: 'application/spdx+json',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty },
        layers: [{ mediaType: 'application/spdx+json', ...content }],
        subject: {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: subject,
          size: subjectSize,
        },
      }),
    ),
  );
  const indexPath = join(dir, 'index.json');
  const index = JSON.parse(await readFile(indexPath, 'utf8')) as { manifests: unknown[] };
  index.manifests.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...artifact });
  await writeFile(indexPath, JSON.stringify(index));
  return artifact;
}

/** Every digest of the sample index: what a complete copy of it holds. */
export function allDigests(sample: SampleIndex): string[] {
  return [
    sample.indexDigest,
    ...sample.images.flatMap((image) => [
      image.manifestDigest,
      image.configDigest,
      ...image.layers.map((l) => l.digest),
    ]),
  ].sort();
}

/** image-push with a docker:// (or any) source, without the machine's Docker config. */
export function copy(
  source: string,
  destinations: string[],
  extra: Partial<PushOptions> = {},
): Promise<PushResult> {
  return push({
    source,
    destinations,
    dockerConfig: false,
    concurrency: 4,
    logger: silentLogger,
    ...extra,
  });
}

/** A logger that keeps the info and warning lines. */
export function collecting(lines: string[]): Logger {
  return { ...silentLogger, info: (line) => lines.push(line), warning: (line) => lines.push(line) };
}

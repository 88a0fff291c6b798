// Writes `docker save` tarballs (the classic layout: manifest.json, <config>.json, <n>/layer.tar) from file
// contents, so tests can `docker load` images of known layers without a build.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';

export interface SavedImage {
  readonly diffIds: string[];
  /** sha256 of the config: the image ID. */
  readonly configDigest: string;
}

/** One uncompressed layer tar from file paths and contents (fixed times: the same input, the same bytes). */
export async function layerTar(files: Record<string, string | Buffer>): Promise<Buffer> {
  const tar = pack();
  const done = buffer(tar);
  for (const [name, content] of Object.entries(files)) {
    tar.entry({ name, mtime: new Date(0), mode: 0o644, uid: 0, gid: 0 }, content);
  }
  tar.finalize();
  return done;
}

export async function writeDockerSave(
  file: string,
  repoTag: string,
  layers: readonly Buffer[],
  labels: Record<string, string> = {},
): Promise<SavedImage> {
  const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
  const diffIds = layers.map((l) => `sha256:${sha(l)}`);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '1970-01-01T00:00:00Z',
      config: { Labels: labels },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: layers.map(() => ({ created: '1970-01-01T00:00:00Z', created_by: 'test' })),
    }),
  );
  const configName = `${sha(config)}.json`;
  const tar = pack();
  const out = pipeline(tar, createWriteStream(file));
  const paths = layers.map((_, i) => `${String(i).padStart(64, '0')}/layer.tar`);
  tar.entry({ name: configName, mtime: new Date(0) }, config);
  for (const [i, layer] of layers.entries())
    tar.entry({ name: paths[i] as string, mtime: new Date(0) }, layer);
  tar.entry(
    { name: 'manifest.json', mtime: new Date(0) },
    JSON.stringify([{ Config: configName, RepoTags: [repoTag], Layers: paths }]),
  );
  tar.finalize();
  await out;
  return { diffIds, configDigest: `sha256:${sha(config)}` };
}

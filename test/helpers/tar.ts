// Tar fixtures written by hand, for headers no tar writer would produce (negative or non-numeric sizes), and
// docker save archives with a broken manifest.json.
import { createHash } from 'node:crypto';
import { pack } from 'tar-stream';

/** A ustar header with `sizeField` written as given (text, or 12 raw bytes) and a correct checksum. */
export function tarHeader(name: string, sizeField: string | Buffer, type = '0', linkName = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  if (typeof sizeField === 'string') h.write(sizeField.padEnd(11, ' ').slice(0, 11) + '\0', 124, 'latin1');
  else sizeField.copy(h, 124, 0, 12);
  h.write('00000000000\0', 136, 'latin1');
  h.fill(0x20, 148, 156);
  h.write(type, 156, 'latin1');
  h.write(linkName, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

export const octal = (n: number): string => n.toString(8).padStart(11, '0');

export function padBlock(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

/** A regular file entry: header and padded data. */
export function tarFile(name: string, data: Buffer | string): Buffer {
  const bytes = Buffer.from(data);
  return Buffer.concat([tarHeader(name, octal(bytes.length)), padBlock(bytes)]);
}

/** A PAX extended header ('x') with these records, applying to the next entry. */
export function paxEntry(records: Record<string, string>, name = 'PaxHeaders/entry'): Buffer {
  const data = Buffer.from(
    Object.entries(records)
      .map(([key, value]) => {
        const body = ` ${key}=${value}\n`;
        let length = body.length + 1;
        while (String(length).length + body.length !== length) length = String(length).length + body.length;
        return `${length}${body}`;
      })
      .join(''),
  );
  return Buffer.concat([tarHeader(name, octal(data.length), 'x'), padBlock(data)]);
}

export const TAR_END = Buffer.alloc(1024);

export function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A small uncompressed layer tar holding one file of `size` bytes of `fill`. */
export async function layerTar(fill: number, size = 3000): Promise<Buffer> {
  const p = pack();
  p.entry({ name: `file-${fill}`, mtime: new Date(0) }, Buffer.alloc(size, fill));
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface DockerArchiveParts {
  /** manifest.json's Layers (default: l0/layer.tar, l1/layer.tar). */
  readonly layers?: readonly unknown[];
  /** The config's rootfs.diff_ids (default: the two layers'). */
  readonly diffIds?: readonly unknown[];
  /** Which entries the tar holds besides manifest.json and the config: name -> bytes (default both layers). */
  readonly entries?: (layers: Buffer[]) => Buffer[];
  readonly platform?: { os: string; architecture: string };
  /** Leave out the two zero end blocks. */
  readonly noEnd?: boolean;
}

/** A two-layer `docker save` archive (classic layout), broken as `parts` says. */
export async function dockerArchive(seed: number, parts: DockerArchiveParts = {}): Promise<Buffer> {
  const layers = [await layerTar(seed % 251), await layerTar((seed + 1) % 251, 5000)];
  const platform = parts.platform ?? { os: 'linux', architecture: 'amd64' };
  const config = Buffer.from(
    JSON.stringify({
      ...platform,
      config: { Labels: { seed: String(seed) } },
      rootfs: { type: 'layers', diff_ids: parts.diffIds ?? layers.map(sha256) },
    }),
  );
  const configName = `${sha256(config).slice(7)}.json`;
  const manifest = [
    { Config: configName, RepoTags: ['app:1'], Layers: parts.layers ?? ['l0/layer.tar', 'l1/layer.tar'] },
  ];
  const entries = parts.entries?.(layers) ?? [
    tarFile('l0/layer.tar', layers[0] as Buffer),
    tarFile('l1/layer.tar', layers[1] as Buffer),
  ];
  return Buffer.concat([
    tarFile('manifest.json', JSON.stringify(manifest)),
    tarFile(configName, config),
    ...entries,
    ...(parts.noEnd ? [] : [TAR_END]),
  ]);
}

import { open, type FileHandle } from 'node:fs/promises';

/** Where a regular file's bytes sit inside an uncompressed tar file. */
export interface TarEntry {
  readonly offset: number;
  readonly size: number;
}

const BLOCK = 512;

/**
 * Lists the regular files of an uncompressed tar by reading only its headers, so that any entry can later
 * be streamed straight from the archive with a ranged read instead of extracting the whole thing.
 * Understands ustar prefixes, PAX `path`/`size` records and GNU long names. Symbolic and hard links are
 * resolved to their targets.
 */
export async function indexTar(path: string): Promise<Map<string, TarEntry>> {
  const file = await open(path, 'r');
  try {
    return await readIndex(file, (await file.stat()).size);
  } finally {
    await file.close();
  }
}

async function readIndex(file: FileHandle, fileSize: number): Promise<Map<string, TarEntry>> {
  const entries = new Map<string, TarEntry>();
  const links: [string, string][] = [];
  const header = Buffer.alloc(BLOCK);
  let offset = 0;
  let paxPath: string | undefined;
  let paxSize: number | undefined;
  let longName: string | undefined;

  for (;;) {
    const { bytesRead } = await file.read(header, 0, BLOCK, offset);
    if (bytesRead < BLOCK) throw new Error(`truncated tar: header at byte ${offset} is cut short`);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    if (!checksumMatches(header)) {
      if (offset === 0 && header[0] === 0x1f && header[1] === 0x8b)
        throw new Error('it is gzip-compressed, not a plain tar');
      if (offset === 0 && header.readUInt32BE(0) === 0x28b52ffd)
        throw new Error('it is zstd-compressed, not a plain tar');
      throw new Error(`not a tar file, or corrupt: bad header checksum at byte ${offset}`);
    }

    const type = String.fromCharCode(header[156] ?? 0);
    const size = paxSize ?? parseNumber(header.subarray(124, 136));
    const dataOffset = offset + BLOCK;
    if (dataOffset + size > fileSize)
      throw new Error(`truncated tar: entry at byte ${offset} runs past the end`);

    if (type === 'x' || type === 'L' || type === 'g') {
      const data = Buffer.alloc(size);
      await file.read(data, 0, size, dataOffset);
      if (type === 'x') ({ path: paxPath, size: paxSize } = parsePax(data));
      if (type === 'L') longName = data.toString('utf8').replace(/\0+$/, '');
    } else {
      const name = normalise(paxPath ?? longName ?? headerName(header));
      if (type === '0' || type === '\0' || type === '7') {
        entries.set(name, { offset: dataOffset, size });
      } else if (type === '1' || type === '2') {
        const target = cString(header.subarray(157, 257));
        // Hard-link targets are archive paths; symlink targets are relative to the link's directory.
        const resolved = type === '2' && !target.startsWith('/') ? joinRelative(name, target) : target;
        links.push([name, normalise(resolved)]);
      }
      paxPath = paxSize = longName = undefined;
    }
    offset = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
  }

  for (const [name, target] of links) {
    const entry = entries.get(target);
    if (entry) entries.set(name, entry);
  }
  return entries;
}

function headerName(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  const isUstar = header.subarray(257, 262).toString('latin1') === 'ustar';
  const prefix = isUstar ? cString(header.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

/** Octal, or GNU base-256 for sizes of 8 GiB and more. */
function parseNumber(field: Buffer): number {
  if ((field[0] ?? 0) & 0x80) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function checksumMatches(header: Buffer): boolean {
  const stored = parseNumber(header.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] ?? 0);
  return sum === stored;
}

function parsePax(data: Buffer): { path: string | undefined; size: number | undefined } {
  let path: string | undefined;
  let size: number | undefined;
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const length = parseInt(data.toString('latin1', pos, space), 10);
    if (!(length > 0)) break;
    const record = data.toString('utf8', space + 1, pos + length - 1);
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') path = value;
    if (key === 'size') size = Number(value);
    pos += length;
  }
  return { path, size };
}

/** Archive paths without `./` or a leading `/`, so lookups do not depend on how the tar was made. */
export function normalise(name: string): string {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

function joinRelative(linkName: string, target: string): string {
  const dir = linkName.includes('/') ? linkName.slice(0, linkName.lastIndexOf('/')) : '';
  return dir ? `${dir}/${target}` : target;
}

import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { fileKind } from '../files.ts';

/** Where a regular file's bytes sit inside an uncompressed tar file. */
export interface TarEntry {
  readonly offset: number;
  readonly size: number;
}

/**
 * The regular files of a tar (links resolved), plus what every other named entry is, so that a lookup that
 * finds no file can say why ("a symbolic link to /etc/passwd, which is not in the archive", "a directory").
 */
export class TarIndex extends Map<string, TarEntry> {
  readonly others = new Map<string, string>();
}

const BLOCK = 512;
/** PAX and GNU long-name records hold a name or a few attributes: more than this is no real archive. */
const MAX_META = 1 << 20;
const TYPES: Record<string, string> = {
  '3': 'a character device',
  '4': 'a block device',
  '5': 'a directory',
  '6': 'a FIFO (named pipe)',
};

/**
 * Lists the regular files of an uncompressed tar by reading only its headers, so that any entry can later
 * be streamed straight from the archive with a ranged read instead of extracting the whole thing.
 * Understands ustar prefixes, PAX `path`/`size`/`linkpath` records and GNU long names. Symbolic and hard
 * links are resolved to their targets. Every header is checked (a size that is negative, not a number or past
 * the end of the file is refused with the entry's name), so that a hostile archive cannot make it loop.
 */
export async function indexTar(path: string): Promise<TarIndex> {
  // O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever.
  const file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = await file.stat();
    if (!stats.isFile()) throw new Error(`it is ${fileKind(stats)}, not a tar file`);
    return await readIndex(file, stats.size);
  } finally {
    await file.close();
  }
}

async function readIndex(file: FileHandle, fileSize: number): Promise<TarIndex> {
  const index = new TarIndex();
  const links: [string, string, string][] = [];
  const header = Buffer.alloc(BLOCK);
  let offset = 0;
  let pax: Pax = {};
  let longName: string | undefined;
  let longLink: string | undefined;

  for (;;) {
    const { bytesRead } = await file.read(header, 0, BLOCK, offset);
    // GNU tar and Python read an archive that lacks its two zero end blocks: so does this.
    if (bytesRead === 0 && offset === fileSize) break;
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
    const name = pax.path ?? longName ?? headerName(header);
    const where = `entry "${name}" at byte ${offset}`;
    const size = pax.size ?? parseSize(header.subarray(124, 136), where);
    const dataOffset = offset + BLOCK;
    if (size > fileSize - dataOffset)
      throw new Error(
        `truncated tar: ${where} says it holds ${size} bytes, but the file ends ${fileSize - dataOffset} bytes after its header`,
      );

    if (type === 'x' || type === 'L' || type === 'K' || type === 'g') {
      if (size > MAX_META) throw new Error(`${where}: a ${size}-byte extended header is not plausible`);
      const data = Buffer.alloc(size);
      await file.read(data, 0, size, dataOffset);
      if (type === 'x') pax = parsePax(data, where);
      if (type === 'L') longName = cString(data);
      if (type === 'K') longLink = cString(data);
    } else {
      const path = normalise(name);
      if (type === '0' || type === '\0' || type === '7') {
        index.set(path, { offset: dataOffset, size });
      } else if (type === '1' || type === '2') {
        const target = pax.linkpath ?? longLink ?? cString(header.subarray(157, 257));
        // Hard-link targets are archive paths; symlink targets are relative to the link's directory.
        const resolved = type === '2' && !target.startsWith('/') ? joinRelative(path, target) : target;
        links.push([path, normalise(resolved), `a ${type === '1' ? 'hard' : 'symbolic'} link to ${target}`]);
      } else if (TYPES[type]) {
        index.others.set(path, TYPES[type]);
      }
      pax = {};
      longName = longLink = undefined;
    }
    offset = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
  }

  // A link to a link resolves once its target has: a few passes settle any chain a real archive holds.
  for (let pass = 0, resolved = true; resolved && pass < 8; pass++) {
    resolved = false;
    for (const [name, target] of links) {
      const entry = index.get(target);
      if (entry && !index.has(name)) {
        index.set(name, entry);
        resolved = true;
      }
    }
  }
  for (const [name, target, what] of links) {
    if (!index.has(name))
      index.others.set(name, `${what} (${index.others.get(target) ?? 'not in the archive'})`);
  }
  return index;
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

/** Octal, or GNU base-256 for sizes of 8 GiB and more; NaN when it is neither. */
function parseNumber(field: Buffer): number {
  if (field[0] === 0x80) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  if ((field[0] ?? 0) & 0x80) return NaN; // base-256 negative (0xff), or garbage
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .trim();
  if (text === '') return 0;
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

function parseSize(field: Buffer, where: string): number {
  const size = parseNumber(field);
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new Error(
      `not a tar file, or corrupt: ${where} has an impossible size ${JSON.stringify(field.toString('latin1').replace(/\0+$/, ''))}`,
    );
  }
  return size;
}

function checksumMatches(header: Buffer): boolean {
  const stored = parseNumber(header.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] ?? 0);
  return sum === stored;
}

interface Pax {
  path?: string;
  linkpath?: string;
  size?: number;
}

function parsePax(data: Buffer, where: string): Pax {
  const pax: Pax = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const length = Number(data.toString('latin1', pos, space));
    if (!Number.isSafeInteger(length) || length <= space - pos || pos + length > data.length) break;
    const record = data.toString('utf8', space + 1, pos + length - 1);
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') pax.path = value;
    if (key === 'linkpath') pax.linkpath = value;
    if (key === 'size') {
      const size = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(size))
        throw new Error(
          `not a tar file, or corrupt: ${where} (a PAX header) gives the impossible size ${JSON.stringify(value)}${pax.path ? ` for "${pax.path}"` : ''}`,
        );
      pax.size = size;
    }
    pos += length;
  }
  return pax;
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

/** Whether an archive path stays inside the archive (no leading `/`, no `..` that climbs out of it). */
export function isInsideArchive(name: string): boolean {
  if (name.startsWith('/')) return false;
  let depth = 0;
  for (const part of name.split('/')) {
    if (part === '..') depth--;
    else if (part !== '' && part !== '.') depth++;
    if (depth < 0) return false;
  }
  return true;
}

function joinRelative(linkName: string, target: string): string {
  const dir = linkName.includes('/') ? linkName.slice(0, linkName.lastIndexOf('/')) : '';
  return dir ? `${dir}/${target}` : target;
}

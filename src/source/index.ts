import { existsSync } from 'node:fs';
import { InputError } from '../errors.ts';
import { OciLayoutSource } from './oci-layout.ts';
import type { ImageSource } from './types.ts';

export type { BlobSource, Descriptor, ImageSource, ManifestNode, Platform } from './types.ts';

const TRANSPORTS = ['oci', 'oci-archive'] as const;
const LATER = ['docker-archive', 'docker-daemon'];

/**
 * Opens the image named by a transport reference, as skopeo writes them: `oci:PATH[:NAME]`,
 * `oci-archive:PATH[:NAME]`.
 */
export function openSource(reference: string): ImageSource {
  const input = reference.trim();
  const colon = input.indexOf(':');
  const transport = colon === -1 ? '' : input.slice(0, colon);
  const rest = input.slice(colon + 1);
  if (LATER.includes(transport)) {
    throw new InputError(
      `image "${input}": the ${transport} transport is not supported by this version`,
      `export the image to an OCI layout first (skopeo copy ${input} oci:DIR:TAG)`,
    );
  }
  if (!(TRANSPORTS as readonly string[]).includes(transport)) {
    throw new InputError(
      `image "${input}": unknown transport "${transport || input}"`,
      `write the source as ${TRANSPORTS.map((t) => `${t}:PATH[:NAME]`).join(' or ')}`,
    );
  }
  const { path, name } = splitPathAndName(rest);
  if (path === '')
    throw new InputError(`image "${input}": no path after "${transport}:"`, 'name the layout path');
  if (!existsSync(path)) {
    throw new InputError(
      `image "${input}": path "${path}" does not exist`,
      'check the path (it is relative to the working directory)',
    );
  }
  return transport === 'oci' ? OciLayoutSource.directory(path, name) : OciLayoutSource.archive(path, name);
}

/**
 * `PATH:NAME` is ambiguous when the path itself holds a colon: an existing path wins, then the text after
 * the last colon is taken as the name unless it looks like a path.
 */
function splitPathAndName(rest: string): { path: string; name: string | undefined } {
  const colon = rest.lastIndexOf(':');
  if (colon === -1 || existsSync(rest)) return { path: rest, name: undefined };
  const name = rest.slice(colon + 1);
  if (name.includes('/')) return { path: rest, name: undefined };
  return { path: rest.slice(0, colon), name: name === '' ? undefined : name };
}

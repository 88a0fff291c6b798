import { existsSync, statSync } from 'node:fs';
import { InputError } from '../errors.ts';
import { fileKind } from '../files.ts';
import { parseReference } from '../oci/reference.ts';
import { DockerArchiveSource } from './docker-archive.ts';
import type { LayerCompressor } from '../compress/layer-compressor.ts';
import { OciLayoutSource } from './oci-layout.ts';
import { RegistrySource, type ClientFactory } from './registry-source.ts';
import type { ImageSource, LoadOptions } from './types.ts';

const TRANSPORTS = ['oci', 'oci-archive', 'docker-archive', 'docker-daemon', 'docker'] as const;

/**
 * Opens the image named by a transport reference, as skopeo writes them: `oci:PATH[:NAME]`,
 * `oci-archive:PATH[:NAME]`, `docker-archive:PATH[:REF]`, `docker-daemon:NAME[:TAG]`,
 * `docker://REGISTRY/REPO[:TAG|@DIGEST]`; a bare image name means the Docker daemon. `clients` gives the
 * registry clients a `docker://` source reads through.
 */
export function openSource(
  reference: string,
  compressor: LayerCompressor,
  clients?: ClientFactory,
): ImageSource {
  const input = reference.trim();
  const colon = input.indexOf(':');
  const transport = colon === -1 ? '' : input.slice(0, colon);
  const rest = input.slice(colon + 1);
  if (transport === 'docker') {
    if (!rest.startsWith('//')) {
      throw new InputError(
        `image "${input}": the registry transport is written docker://REGISTRY/REPOSITORY:TAG`,
        `write docker:${rest.startsWith('/') ? '/' : '//'}${rest}`,
      );
    }
    if (!clients) throw new Error('openSource: a docker:// source needs registry clients');
    return new RegistrySource(rest.slice(2), clients);
  }
  if (transport === 'docker-daemon' || !(TRANSPORTS as readonly string[]).includes(transport)) {
    const name = transport === 'docker-daemon' ? rest : input;
    try {
      parseReference(name);
    } catch (err) {
      if (transport === 'docker-daemon') throw err;
      throw new InputError(
        `image "${input}": unknown transport "${transport || input}", and not an image name either`,
        `write the source as ${TRANSPORTS.map((t) => (t === 'docker' ? 'docker://...' : `${t}:...`)).join(', ')} or a Docker image name`,
      );
    }
    return daemonSource(name, compressor);
  }
  const { path, name } = splitPathAndName(rest);
  if (path === '')
    throw new InputError(`image "${input}": no path after "${transport}:"`, 'name the file or directory');
  if (!existsSync(path)) {
    throw new InputError(
      `image "${input}": path "${path}" does not exist`,
      'check the path (it is relative to the working directory)',
    );
  }
  const stats = statSync(path);
  if (transport === 'oci' && !stats.isDirectory()) {
    throw new InputError(
      `image "${input}": "${path}" is ${fileKind(stats)}, but oci: reads an OCI layout directory`,
      stats.isFile()
        ? `for a tar file write oci-archive:${path} (an OCI layout) or docker-archive:${path} (docker save)`
        : 'name the directory of an OCI image layout',
    );
  }
  if (transport !== 'oci' && stats.isDirectory()) {
    throw new InputError(
      `image "${input}": "${path}" is a directory, but ${transport}: reads a tar file`,
      `for an OCI layout directory write oci:${path}`,
    );
  }
  if (transport !== 'oci' && !stats.isFile()) {
    // A FIFO would block the reader forever, a device never end: an archive is read in place, so it must be a file.
    throw new InputError(
      `image "${input}": "${path}" is ${fileKind(stats)}, but ${transport}: reads a tar file in place`,
      'save the archive to a regular file first',
    );
  }
  if (transport === 'docker-archive') return new DockerArchiveSource(path, name, compressor);
  return transport === 'oci' ? OciLayoutSource.directory(path, name) : OciLayoutSource.archive(path, name);
}

/**
 * `PATH:NAME` is ambiguous when the path or the name holds a colon (`docker-archive:x.tar:app:1`): the
 * shortest prefix that exists on disk is the path; failing that, the text after the last colon is the name
 * unless it looks like a path.
 */
function splitPathAndName(rest: string): { path: string; name: string | undefined } {
  if (existsSync(rest)) return { path: rest, name: undefined };
  for (let colon = rest.indexOf(':'); colon !== -1; colon = rest.indexOf(':', colon + 1)) {
    if (existsSync(rest.slice(0, colon)))
      return { path: rest.slice(0, colon), name: rest.slice(colon + 1) || undefined };
  }
  const colon = rest.lastIndexOf(':');
  if (colon === -1 || rest.slice(colon + 1).includes('/')) return { path: rest, name: undefined };
  return { path: rest.slice(0, colon), name: rest.slice(colon + 1) || undefined };
}

/** The daemon's source (tar-stream, the Engine API client) loads only for a push that reads from the daemon. */
function daemonSource(image: string, compressor: LayerCompressor): ImageSource {
  let source: Promise<ImageSource> | undefined;
  const open = (): Promise<ImageSource> =>
    (source ??= import('./docker-daemon.ts').then((m) => new m.DockerDaemonSource(image, compressor)));
  return {
    name: `docker-daemon:${image}`,
    load: async (options?: LoadOptions) => (await open()).load(options),
    knownRootDigest: async () => (await open()).knownRootDigest?.(),
    close: async () => {
      if (source) await (await source).close();
    },
  };
}

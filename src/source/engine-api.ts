import { Agent, request, type Dispatcher } from '../undici.ts';
import type { Readable } from 'node:stream';
import { SourceError } from '../errors.ts';

/** What `GET /images/{name}/json` says about an image (the fields image-push uses). */
export interface ImageInspect {
  readonly Id: string;
  readonly RepoTags?: string[] | null;
  readonly RootFS?: { Type?: string; Layers?: string[] };
  readonly Os?: string;
  readonly Architecture?: string;
  readonly Variant?: string;
  readonly Config?: { Labels?: Record<string, string> | null } | null;
}

/**
 * A client for the Docker Engine API (the Docker daemon, or podman's compatible service) on the socket
 * `DOCKER_HOST` names: `unix:///path` (the default is /var/run/docker.sock) or `tcp://host:port`.
 */
export class EngineApi {
  readonly #dispatcher: Dispatcher;
  readonly #origin: string;
  readonly host: string;
  #info: Promise<{ DriverStatus?: [string, string][] | null }> | undefined;

  constructor(dockerHost = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock') {
    this.host = dockerHost;
    if (dockerHost.startsWith('unix://')) {
      this.#dispatcher = new Agent({
        connect: { socketPath: dockerHost.slice('unix://'.length) },
        bodyTimeout: 0,
      });
      this.#origin = 'http://docker';
    } else if (dockerHost.startsWith('tcp://') || dockerHost.startsWith('http://')) {
      this.#dispatcher = new Agent({ bodyTimeout: 0 });
      this.#origin = `http://${dockerHost.replace(/^\w+:\/\//, '')}`;
    } else {
      throw new SourceError(
        `DOCKER_HOST "${dockerHost}" is not a unix:// or tcp:// address`,
        'set DOCKER_HOST=unix:///var/run/docker.sock',
      );
    }
  }

  async inspect(name: string): Promise<ImageInspect> {
    const res = await this.#get(`/images/${encodeURIComponent(name)}/json`, name);
    return (await res.body.json()) as ImageInspect;
  }

  /**
   * Whether the engine keeps images in the containerd image store (Docker 24+ with the containerd-snapshotter
   * feature, Docker 29's default): `docker info` names the snapshotter as its driver type.
   */
  async usesContainerdStore(): Promise<boolean> {
    this.#info ??= this.#get('/info', 'info').then(
      async (res) => (await res.body.json()) as { DriverStatus?: [string, string][] | null },
    );
    const info = await this.#info;
    return (info.DriverStatus ?? []).some(
      ([key, value]) => key === 'driver-type' && value === 'io.containerd.snapshotter.v1',
    );
  }

  /** The `docker save` stream of one image: read it as it comes, never written whole to disk. */
  async save(name: string): Promise<Readable> {
    const res = await this.#get(`/images/${encodeURIComponent(name)}/get`, name);
    return res.body;
  }

  close(): Promise<void> {
    return this.#dispatcher.close();
  }

  async #get(path: string, name: string): Promise<Dispatcher.ResponseData> {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(`${this.#origin}${path}`, { dispatcher: this.#dispatcher });
    } catch (err) {
      throw new SourceError(
        `docker-daemon:${name}: cannot reach the Docker daemon at ${this.host}: ${(err as Error).message}`,
        'is Docker running? Set DOCKER_HOST if its socket is elsewhere',
        { cause: err },
      );
    }
    if (res.statusCode === 404) {
      await res.body.dump();
      throw new SourceError(
        `docker-daemon:${name}: no such image in the Docker daemon`,
        'build or pull it first, or check the name and tag',
      );
    }
    if (res.statusCode !== 200) {
      const text = await res.body.text();
      throw new SourceError(
        `docker-daemon:${name}: the Docker daemon answered ${res.statusCode}: ${text.slice(0, 200)}`,
      );
    }
    return res;
  }
}

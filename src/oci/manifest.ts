import { ImagePushError } from '../errors.ts';
import type { Descriptor, Platform } from './descriptor.ts';
import { isSha256Digest } from './digest.ts';
import { isIndexMediaType, isManifestMediaType } from './media-types.ts';

/**
 * A manifest or index whose JSON is not what the OCI and Docker specs describe. Neutral on purpose: the
 * caller knows whether the bytes came from a source (SourceError) or a registry (RegistryError) and wraps
 * the message with where they came from.
 */
export class ManifestError extends ImagePushError {
  /**
   * What is wrong: `json` (not a JSON object), `media-type` (it contradicts how it was described),
   * `unsupported` (neither an image manifest nor an index), `structure` (a field is malformed).
   */
  readonly reason: 'json' | 'media-type' | 'unsupported' | 'structure';

  constructor(message: string, reason: ManifestError['reason'], options?: ErrorOptions) {
    super(message, undefined, options);
    this.name = 'ManifestError';
    this.reason = reason;
  }
}

/** A descriptor as a manifest writes it, with the fields image-push reads checked. */
export interface ManifestDescriptor extends Descriptor {
  /** Where foreign layers live (Windows base images); they are never in a registry. */
  readonly urls?: readonly string[];
  readonly artifactType?: string;
}

interface ParsedCommon {
  /** The media type the JSON declares, else the one given by the caller (a descriptor, a Content-Type). */
  readonly mediaType: string;
  /** Whether the JSON declares its own media type. */
  readonly declared: boolean;
  readonly subject: ManifestDescriptor | undefined;
  readonly artifactType: string | undefined;
  readonly annotations: Readonly<Record<string, string>> | undefined;
  /** The whole JSON object, for code that rewrites a manifest (keeps fields this type does not name). */
  readonly json: Readonly<Record<string, unknown>>;
}

/** An image manifest (OCI or Docker schema 2): config first, then layers. */
export interface ParsedImageManifest extends ParsedCommon {
  readonly kind: 'manifest';
  readonly config: ManifestDescriptor;
  readonly layers: readonly ManifestDescriptor[];
}

/** An image index or Docker manifest list. */
export interface ParsedIndex extends ParsedCommon {
  readonly kind: 'index';
  readonly manifests: readonly ManifestDescriptor[];
}

export type ParsedManifest = ParsedImageManifest | ParsedIndex;

/** Registries refuse larger manifests (distribution's limit is 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 << 20;
/**
 * Image configs are a few KB (a long history makes tens); anything this big is not one and is not read into
 * memory, wherever it comes from (a source, a registry). One limit for every reader.
 */
export const MAX_CONFIG_BYTES = 16 << 20;
const FOREIGN_LAYER = /\.foreign\.|nondistributable/;

/**
 * Parses manifest or index bytes once, into checked, typed fields. `mediaType` is what the bytes were
 * described as (a descriptor, a Content-Type); the JSON's own `mediaType` must agree with it when both are
 * given. Throws ManifestError, whose message reads after "manifest sha256:...": "is not valid JSON".
 */
export function parseManifest(bytes: Buffer | string, mediaType = ''): ParsedManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch (err) {
    throw new ManifestError('is not valid JSON', 'json', { cause: err });
  }
  if (!isObject(raw)) throw new ManifestError('is not a JSON object', 'json');
  const json = raw;
  const declared = typeof json.mediaType === 'string' && json.mediaType !== '';
  const ownType = declared ? (json.mediaType as string) : mediaType;
  if (declared && mediaType && ownType !== mediaType) {
    throw new ManifestError(`says it is ${ownType}, but was described as ${mediaType}`, 'media-type');
  }
  const common = {
    mediaType: ownType,
    declared,
    subject: json.subject === undefined ? undefined : descriptor(json.subject, 'subject'),
    artifactType: typeof json.artifactType === 'string' ? json.artifactType : undefined,
    annotations: stringRecord(json.annotations),
    json,
  };
  if (isIndexMediaType(ownType) || (!isManifestMediaType(ownType) && Array.isArray(json.manifests))) {
    return { ...common, kind: 'index', manifests: list(json.manifests, 'manifests') };
  }
  if (isManifestMediaType(ownType) || (json.config !== undefined && Array.isArray(json.layers))) {
    if (json.config === undefined) throw new ManifestError('has no config descriptor', 'structure');
    return {
      ...common,
      kind: 'manifest',
      config: descriptor(json.config, 'config'),
      layers: list(json.layers, 'layers'),
    };
  }
  throw new ManifestError(
    ownType
      ? `has media type "${ownType}", which is neither an image manifest nor an index`
      : 'names no media type',
    'unsupported',
  );
}

/** Blobs a registry must hold for an image manifest: the config, then each layer that is not foreign. */
export function manifestBlobs(manifest: ParsedImageManifest): ManifestDescriptor[] {
  return [
    manifest.config,
    ...manifest.layers.filter((l) => !(l.urls && l.urls.length > 0 && FOREIGN_LAYER.test(l.mediaType))),
  ];
}

/** The platform fields of an index entry or image config, in the OCI spec's order; undefined without os/arch. */
export function platformOf(value: unknown): Platform | undefined {
  if (!isObject(value) || typeof value.os !== 'string' || typeof value.architecture !== 'string')
    return undefined;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const strings = (v: unknown): string[] | undefined =>
    Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') ? v : undefined;
  const osVersion = str(value['os.version']);
  const osFeatures = strings(value['os.features']);
  const variant = str(value.variant);
  const features = strings(value.features);
  return {
    architecture: value.architecture,
    os: value.os,
    ...(osVersion ? { 'os.version': osVersion } : {}),
    ...(osFeatures ? { 'os.features': osFeatures } : {}),
    ...(variant ? { variant } : {}),
    ...(features ? { features } : {}),
  };
}

function list(value: unknown, field: string): ManifestDescriptor[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ManifestError(`has "${field}" that is not a list`, 'structure');
  return value.map((entry: unknown, i) => descriptor(entry, `${field}[${i}]`));
}

function descriptor(value: unknown, where: string): ManifestDescriptor {
  if (!isObject(value)) throw new ManifestError(`has ${where} that is not a descriptor`, 'structure');
  const { digest, size } = value;
  if (typeof digest !== 'string' || !isSha256Digest(digest)) {
    throw new ManifestError(
      `has ${where} with digest ${JSON.stringify(digest)}, which is not a sha256 digest`,
      'structure',
    );
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new ManifestError(`has ${where} with an invalid size ${JSON.stringify(size)}`, 'structure');
  }
  const platform = value.platform === undefined ? undefined : platformOf(value.platform);
  const annotations = stringRecord(value.annotations);
  const urls =
    Array.isArray(value.urls) && value.urls.every((u) => typeof u === 'string') ? value.urls : undefined;
  return {
    mediaType: typeof value.mediaType === 'string' ? value.mediaType : '',
    digest,
    size,
    ...(platform ? { platform } : {}),
    ...(annotations ? { annotations } : {}),
    ...(urls ? { urls } : {}),
    ...(typeof value.artifactType === 'string' ? { artifactType: value.artifactType } : {}),
  };
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (!isObject(value)) return undefined;
  const entries = Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string');
  return entries.length ? Object.fromEntries(entries) : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

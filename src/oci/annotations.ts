// Annotation lines as docker/metadata-action's `annotations` output and `docker buildx` write them (buildx's
// util/buildflags ParseAnnotations): `TYPES:KEY=VALUE` or a bare `KEY=VALUE`, where TYPES is a comma-separated
// list of `index`, `index-descriptor`, `manifest`, `manifest-descriptor`, each with an optional platform in
// square brackets (`manifest-descriptor[linux/amd64]:key=value`). A bare key is a manifest annotation.
import { InputError } from '../errors.ts';
import type { Platform } from './descriptor.ts';
import { parsePlatforms, platformMatches } from './platform.ts';

export type AnnotationLevel = 'index' | 'index-descriptor' | 'manifest' | 'manifest-descriptor';

export interface Annotation {
  readonly level: AnnotationLevel;
  /** Only the images of this platform; undefined for all. */
  readonly platform: Platform | undefined;
  readonly key: string;
  readonly value: string;
  /** The line it came from, for messages. */
  readonly line: string;
}

const LEVELS: readonly string[] = ['index', 'index-descriptor', 'manifest', 'manifest-descriptor'];
const TYPE = /^([a-z-]+)(?:\[([A-Za-z0-9_/-]+)\])?$/;
const HINT =
  'write TYPE:KEY=VALUE (TYPE index, manifest, index-descriptor or manifest-descriptor) or KEY=VALUE';

/** Parses annotation lines (empty lines skipped); one bad line is one InputError that quotes it. */
export function parseAnnotations(lines: readonly string[]): Annotation[] {
  const annotations: Annotation[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    const equals = line.indexOf('=');
    if (equals < 0) throw new InputError(`annotation "${line}" has no "="`, HINT);
    const name = line.slice(0, equals);
    const value = line.slice(equals + 1);
    const colon = name.indexOf(':');
    if (colon < 0) {
      annotations.push({ level: 'manifest', platform: undefined, key: checkKey(name, line), value, line });
      continue;
    }
    const key = checkKey(name.slice(colon + 1), line);
    for (const type of name.slice(0, colon).split(',')) {
      const match = TYPE.exec(type);
      if (!match || !LEVELS.includes(match[1] ?? '')) {
        throw new InputError(`annotation "${line}": "${type}" is not an annotation type`, HINT);
      }
      const platform = match[2] === undefined ? undefined : parsePlatforms([match[2]])[0];
      annotations.push({ level: match[1] as AnnotationLevel, platform, key, value, line });
    }
  }
  return annotations;
}

function checkKey(key: string, line: string): string {
  if (key === '') throw new InputError(`annotation "${line}" has an empty key`, HINT);
  return key;
}

/** Whether an annotation qualified by platform applies to an image of `platform`. */
export function appliesTo(annotation: Annotation, platform: Platform | undefined): boolean {
  return annotation.platform === undefined || platformMatches(platform, annotation.platform);
}

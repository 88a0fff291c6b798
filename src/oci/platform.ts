import { InputError } from '../errors.ts';
import type { Platform } from './descriptor.ts';

/** `os/arch[/variant]`, as Docker and buildx write platforms. */
export function formatPlatform(platform: Platform | undefined): string {
  if (!platform) return 'unknown';
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** Parses the `platforms` input: `linux/amd64`, `linux/arm/v7`; an error names the bad entry. */
export function parsePlatforms(values: readonly string[]): Platform[] {
  return values.map((value) => {
    const parts = value.trim().split('/');
    const [os, architecture, variant] = parts;
    if (!os || !architecture || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/i.test(p))) {
      throw new InputError(
        `platform "${value}" is not os/architecture[/variant]`,
        'write platforms like linux/amd64 or linux/arm/v7',
      );
    }
    return variant ? { os, architecture, variant } : { os, architecture };
  });
}

/** A wanted platform without a variant matches every variant, as `docker pull --platform linux/arm` does. */
export function platformMatches(have: Platform | undefined, want: Platform): boolean {
  if (!have) return false;
  return (
    have.os === want.os &&
    have.architecture === want.architecture &&
    (want.variant === undefined || have.variant === want.variant)
  );
}

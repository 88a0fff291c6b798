import * as core from '@actions/core';
import { InputError } from './errors.ts';
import { parseCompressionLevel, parseConcurrency, splitList } from './options.ts';
import type { Credentials } from './registry/auth.ts';

/** Everything the action was asked to do, read from its inputs in this one place. */
export interface ActionSettings {
  readonly image: string;
  readonly tags: string[];
  readonly registry: string | undefined;
  readonly credentials: Credentials | undefined;
  readonly concurrency: number;
  readonly insecureRegistries: string[];
  readonly compressionLevel: number;
  /** Keep the diffID -> blob map in the Actions cache. */
  readonly cache: boolean;
}

export function readSettings(): ActionSettings {
  const image = core.getInput('image', { required: true });
  const tags = splitList(core.getInput('tags', { required: true }));
  const username = core.getInput('username');
  const password = core.getInput('password');
  if (password) core.setSecret(password);
  if (Boolean(username) !== Boolean(password)) {
    throw new InputError(
      `${username ? 'username' : 'password'} is set but ${username ? 'password' : 'username'} is empty`,
      'set both, or neither for anonymous access',
    );
  }
  return {
    image,
    tags,
    registry: core.getInput('registry') || undefined,
    credentials: username ? { username, password } : undefined,
    concurrency: parseConcurrency(core.getInput('concurrency')),
    insecureRegistries: splitList(core.getInput('insecure-registries')),
    compressionLevel: parseCompressionLevel(core.getInput('compression-level')),
    cache: core.getInput('cache') !== 'false',
  };
}

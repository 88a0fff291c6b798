// Reading a registry's answer into memory, always within a bound (see read-bounded.ts): manifests, token
// answers, referrers listings, configs and error bodies alike. A registry that streams without end (or
// without Content-Length) costs at most the bound.
import { formatBytes } from '../../format.ts';
import { readBounded, readPrefix } from '../../read-bounded.ts';
import { RegistryError } from './errors.ts';
import type { HttpResponse } from './http.ts';

/** Error bodies are quoted (200 characters) and parsed for codes: their start is all that is read. */
export const ERROR_BODY_BYTES = 64 << 10;
/** Token answers: a JWT and a few fields; identity tokens included, a few KB. */
export const TOKEN_ANSWER_BYTES = 1 << 20;

/**
 * The whole body of `res`, at most `max` bytes; more fails with an error that names what was read and the
 * bound (`hint` says what the bound is for), and the rest is never read.
 */
export async function readAnswer(
  res: Pick<HttpResponse, 'body'>,
  max: number,
  what: string,
  host: string,
  hint?: string,
): Promise<Buffer> {
  return readBounded(
    res.body,
    max,
    () =>
      new RegistryError(
        `${what}: ${host} sent more than ${formatBytes(max)}, more than such an answer can be (reading stopped there)`,
        hint ??
          'the server is not a registry, or it is broken; check the registry and any proxy in front of it',
      ),
  );
}

/** The start of an answer's body (an error, a ping), as text: the rest is dropped unread. */
export async function errorText(res: Pick<HttpResponse, 'body'>): Promise<string> {
  return (await readPrefix(res.body, ERROR_BODY_BYTES)).toString('utf8');
}

// A loopback HTTP server, in this process, that plays a script: each step names the request it expects (method
// and path) and the answer to give. It records every request (headers and body) so a test can assert what a
// client sent, and `done()` fails when a request came that the script did not expect or a step was never used.
// For the fast, in-process tests of the registry code (the real-registry tests stay the contract); compare
// regclient's internal/reqresp and go-containerregistry's httptest servers.
//
//   const server = await startScripted([
//     { method: 'GET', path: '/v2/', reply: { status: 200 } },
//     { method: 'HEAD', path: /\/blobs\//, reply: { status: 404 }, times: 2 },
//   ]);
//   ... a client talks to server.host ...
//   server.done();             // every step used, nothing unexpected
//   server.requests            // [{ method, path, headers, body }, ...]
//   await server.close();
//
// Steps are used in order: a request must match the first step not yet used up (`anyOrder: true` lets it
// match any step left, for clients that send requests concurrently). A step's `reply` may be a function of
// the request, to answer with what the request carried (an upload's Range) or to hand out another origin.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';

export interface RecordedRequest {
  readonly method: string;
  /** Path and query string, as sent. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** An object is sent as JSON (with a JSON content-type unless the headers name one). */
  readonly body?: string | Buffer | object;
}

export interface Step {
  readonly method: string;
  /** The exact path and query, or a pattern tested against them. */
  readonly path: string | RegExp;
  readonly reply: Reply | ((req: RecordedRequest) => Reply);
  /** How many requests this step answers (default 1); Infinity for "any number, none required". */
  readonly times?: number;
}

export interface ScriptedServer {
  /** `127.0.0.1:port`: a registry name the client treats as loopback (plain HTTP). */
  readonly host: string;
  /** `http://127.0.0.1:port`. */
  readonly origin: string;
  readonly requests: readonly RecordedRequest[];
  /** Appends steps to the script (a second act, once the first has been checked). */
  add(...steps: Step[]): void;
  /** Fails unless every request was expected and every step (but those with `times: Infinity`) was used. */
  done(): void;
  close(): Promise<void>;
}

interface Slot {
  readonly step: Step;
  used: number;
}

export async function startScripted(
  script: readonly Step[],
  options: { anyOrder?: boolean } = {},
): Promise<ScriptedServer> {
  const slots: Slot[] = [];
  const requests: RecordedRequest[] = [];
  const unexpected: string[] = [];
  const add = (...steps: Step[]): void => {
    slots.push(...steps.map((step) => ({ step, used: 0 })));
  };
  add(...script);

  const matches = (step: Step, req: RecordedRequest): boolean =>
    step.method === req.method &&
    (typeof step.path === 'string' ? step.path === req.path : step.path.test(req.path));
  const left = (slot: Slot): boolean => slot.used < (slot.step.times ?? 1);

  const pick = (req: RecordedRequest): Slot | undefined => {
    if (options.anyOrder) return slots.find((s) => left(s) && matches(s.step, req));
    // In order: the first step left, or an unlimited step before it that matches (a repeated HEAD).
    for (const slot of slots) {
      if (!left(slot)) continue;
      if (matches(slot.step, req)) return slot;
      if (slot.step.times !== Infinity) return undefined;
    }
    return undefined;
  };

  const server: Server = createServer((incoming: IncomingMessage, res) => {
    void (async () => {
      const req: RecordedRequest = {
        method: incoming.method ?? '',
        path: incoming.url ?? '',
        headers: incoming.headers,
        body: await buffer(incoming),
      };
      requests.push(req);
      const slot = pick(req);
      if (!slot) {
        unexpected.push(`${req.method} ${req.path}`);
        res.writeHead(599, { 'content-type': 'text/plain' });
        res.end(`unexpected request ${req.method} ${req.path}`);
        return;
      }
      slot.used++;
      const reply = typeof slot.step.reply === 'function' ? slot.step.reply(req) : slot.step.reply;
      const headers: Record<string, string> = { ...reply.headers };
      let body: Buffer | undefined;
      if (Buffer.isBuffer(reply.body) || typeof reply.body === 'string') body = Buffer.from(reply.body);
      else if (reply.body !== undefined) {
        body = Buffer.from(JSON.stringify(reply.body));
        headers['content-type'] ??= 'application/json';
      }
      headers['content-length'] ??= String(body?.length ?? 0);
      res.writeHead(reply.status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    })().catch((err: unknown) => {
      unexpected.push(`a step failed: ${(err as Error).message}`);
      res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    host: `127.0.0.1:${port}`,
    origin: `http://127.0.0.1:${port}`,
    requests,
    add,
    done() {
      assert.deepEqual(unexpected, [], 'requests the script did not expect');
      const unused = slots
        .filter((s) => s.step.times !== Infinity && left(s))
        .map((s) => `${s.step.method} ${String(s.step.path)}`);
      assert.deepEqual(unused, [], 'steps of the script never used');
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

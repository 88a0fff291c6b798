// The parts of undici image-push uses, loaded from their own modules. undici's index also loads fetch, WebSocket,
// EventSource, caches, cookies and mocks: measured at ~128 ms of start-up here, against ~71 ms for these, on
// every run of a push whose whole work may take 300 ms (a warm push).
import type { Dispatcher } from 'undici';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import DispatcherClass from 'undici/lib/dispatcher/dispatcher.js';
import EnvHttpProxyAgentClass from 'undici/lib/dispatcher/env-http-proxy-agent.js';
import apiConnect from 'undici/lib/api/api-connect.js';
import apiRequest from 'undici/lib/api/api-request.js';

// What undici's index does once for its whole API: here `request`, the one image-push calls, and `connect`, which
// the proxy agent calls for its CONNECT tunnels, as methods of every dispatcher (stream, pipeline and upgrade
// are not loaded).
Object.assign(DispatcherClass.prototype, { request: apiRequest, connect: apiConnect });

/**
 * undici parses answers with llhttp compiled to WebAssembly, which V8 runs as baseline code (Liftoff) until a
 * function has used up its tiering budget, then recompiles with TurboFan on a background thread. A process cannot
 * exit while such a job runs. With V8's budget (13,000,000) the parser's main function tiers up within the first
 * ten answers, so a short push waited for it at exit: ~50 ms of compiling and ~23 MB, ~30 ms of a mount's ~145 ms
 * and 24 MB of its peak RSS here. At 2,000,000,000 (near the flag's int32 limit) it tiers up after 200-240 small
 * answers instead: short runs stay on baseline code, longer ones tier up partway through.
 * Set before the first connection compiles llhttp.
 */
export const WASM_TIERING_BUDGET = 2_000_000_000;
let tieringSet = false;
function keepParserOnBaseline(): void {
  if (tieringSet) return;
  tieringSet = true;
  process.getBuiltinModule('node:v8').setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
}

/**
 * undici 8 offers HTTP/2 to every TLS server, and most registries take it. image-push speaks HTTP/1.1 only: its
 * deadlines, cut-body resumes and redirect rules are built and tested on undici's HTTP/1.1 client, and blobs
 * uploaded at once go over connections of their own instead of sharing one. (Its HTTP/2 module is then never
 * loaded: see the build's lazyHttp2Client.)
 */
export class Agent extends AgentClass {
  constructor(options: ConstructorParameters<typeof AgentClass>[0] = {}) {
    keepParserOnBaseline();
    super({ ...options, allowH2: false });
  }
}

/** The proxy-aware agent, HTTP/1.1 only as well (its direct and proxied connections take these options). */
export class EnvHttpProxyAgent extends EnvHttpProxyAgentClass {
  constructor(options: ConstructorParameters<typeof EnvHttpProxyAgentClass>[0] = {}) {
    keepParserOnBaseline();
    super({ ...options, allowH2: false });
  }
}
export type { Dispatcher };

/** `request(url, options)` as undici's index exports it, for the absolute URLs this code uses. */
export function request(
  url: string,
  options: Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & {
    method?: Dispatcher.HttpMethod;
    dispatcher: Dispatcher;
  },
): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  const parsed = new URL(url);
  return dispatcher.request({
    ...rest,
    origin: parsed.origin,
    path: `${parsed.pathname}${parsed.search}`,
    method: options.method ?? 'GET',
  });
}

import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  parseTargets
} from "./action-MAUTNQXR.js";
import {
  notePartial,
  tallyBlobs
} from "./action-AUXMV2XP.js";
import {
  Agent,
  EnvHttpProxyAgent,
  MAX_MANIFEST_BYTES,
  TooLargeError,
  loadManifestTree,
  parseManifest,
  readBounded,
  readPrefix,
  request
} from "./action-FBX2CC6P.js";
import {
  OCI_INDEX,
  checkConcurrency,
  createLimiter
} from "./action-GKFREAB2.js";
import {
  DOCKER_HUB,
  formatReference,
  isListedInsecure,
  isLoopbackRegistry,
  parseReference,
  registryApiHost
} from "./action-QG7TUPY7.js";
import {
  DEFAULT_RETRY_POLICY,
  REFUSED_WINDOW_MS
} from "./action-VOW7TFM6.js";
import {
  ImagePushError,
  InputError,
  SourceError
} from "./action-QNNVT73O.js";
import {
  DigestingStream,
  createSha256,
  keepYoungGenerationSmall,
  require_node_path,
  require_promises,
  sha256Digest
} from "./action-KFWXCRBI.js";
import {
  formatBytes,
  formatRate,
  formatSeconds
} from "./action-7YDRSE4Y.js";
import {
  require_node_fs,
  require_node_os,
  require_node_stream
} from "./action-O6GVOO7T.js";
import {
  __commonJS,
  __require,
  __toESM
} from "./action-JJ6ZGO25.js";

// builtin-require:node:events
var require_node_events = __commonJS({
  "builtin-require:node:events"(exports, module) {
    module.exports = __require("node:events");
  }
});

// builtin-require:node:timers/promises
var require_promises2 = __commonJS({
  "builtin-require:node:timers/promises"(exports, module) {
    module.exports = __require("node:timers/promises");
  }
});

// src/registry/transport/http.ts
var DEFAULT_TIMEOUTS = {
  connectMs: 3e4,
  headersMs: 3e4,
  bodyMs: 6e4,
  bodyTotalMs: 12e4,
  uploadMs: 12e4,
  uploadPerGiBMs: 12e4,
  noticeMs: 15e3
};
var MAX_REDIRECTS = 5;
var Transport = class {
  #options;
  #verified;
  #unverified;
  constructor(options = {}) {
    this.#options = options;
  }
  dispatcher(verify = true) {
    if (verify) return this.#verified ??= this.#create(true);
    return this.#unverified ??= this.#create(false);
  }
  async close() {
    await Promise.all([this.#verified?.close(), this.#unverified?.close()]);
  }
  #create(verify) {
    const tls = {
      rejectUnauthorized: verify,
      ...this.#options.lookup ? { lookup: this.#options.lookup } : {},
      // node:tls is loaded only for an extra CA (undici loads it on the first TLS connection anyway).
      ...this.#options.ca ? { ca: [...process.getBuiltinModule("node:tls").rootCertificates, this.#options.ca] } : {}
    };
    const timeouts = {
      keepAliveTimeout: 3e4,
      connectTimeout: this.#options.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connectMs,
      headersTimeout: DEFAULT_TIMEOUTS.headersMs,
      bodyTimeout: DEFAULT_TIMEOUTS.bodyMs
    };
    const env = this.#options.env ?? process.env;
    const proxied = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"].some((name) => env[name]);
    if (proxied) {
      return new EnvHttpProxyAgent({
        ...timeouts,
        httpProxy: env.HTTP_PROXY ?? env.http_proxy,
        httpsProxy: env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy,
        noProxy: env.NO_PROXY ?? env.no_proxy,
        connect: tls,
        requestTls: tls
      });
    }
    return new Agent({ ...timeouts, connect: tls });
  }
};
async function send(dispatcher, req) {
  let url = req.url;
  let headers = { ...req.headers };
  const options = {
    ...req.headersTimeout !== void 0 ? { headersTimeout: req.headersTimeout } : {},
    ...req.bodyTimeout !== void 0 ? { bodyTimeout: req.bodyTimeout } : {},
    ...req.signal ? { signal: req.signal } : {}
  };
  for (let hop = 0; ; hop++) {
    await new Promise((resolve) => setImmediate(resolve));
    const res = await request(url, {
      method: req.method,
      headers,
      body: req.body ?? null,
      dispatcher,
      // undici closes the connection after every HEAD, for servers that send a body with it; registries do not,
      // and a push sends a HEAD per blob: each would cost a new connection (a TCP and TLS handshake).
      ...req.method === "HEAD" ? { reset: false } : {},
      ...options
    });
    const location = header(res.headers, "location");
    const redirect = [301, 302, 303, 307, 308].includes(res.statusCode) && location !== void 0;
    if (!redirect || req.body !== void 0 || hop >= MAX_REDIRECTS) {
      const exhausted = redirect && req.body === void 0;
      return {
        status: res.statusCode,
        headers: res.headers,
        url,
        body: res.body,
        redirectsExhausted: exhausted
      };
    }
    await res.body.dump();
    const next = new URL(location, url);
    req.checkRedirect?.(new URL(url), next);
    if (next.origin !== new URL(url).origin) {
      const { authorization: _dropped, ...rest } = headers;
      headers = rest;
    }
    url = next.href;
  }
}
function header(headers, name) {
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}
function parseRetryAfter(value, now = Date.now()) {
  if (value === void 0 || value.trim() === "") return void 0;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1e3;
  if (!/[a-z]{3}/i.test(text)) return void 0;
  const date = Date.parse(text);
  return Number.isNaN(date) ? void 0 : Math.max(0, date - now);
}

// src/registry/transport/errors.ts
var RegistryError = class extends ImagePushError {
  status;
  codes;
  retryAfterMs;
  /**
   * The registry and repository the failed request went to (`ghcr.io/org/app`), set by the client that sent
   * it: the failure summary's headline names it.
   */
  where;
  network;
  constructor(message, hint, options = {}) {
    super(message, hint, options.cause === void 0 ? void 0 : { cause: options.cause });
    this.name = "RegistryError";
    this.status = options.status;
    this.codes = options.codes ?? [];
    this.retryAfterMs = options.retryAfterMs;
    this.network = options.network ?? false;
  }
};
function parseErrorBody(text) {
  try {
    const body = JSON.parse(text);
    const errors = Array.isArray(body.errors) ? body.errors : [];
    const str = (value) => typeof value === "string" ? value : "";
    const codes = errors.map((e) => str(e.code) || "UNKNOWN");
    const summary = errors.map((e, i) => `${codes[i] ?? "UNKNOWN"}: ${str(e.message)}`.trim()).join("; ");
    if (summary) return { codes, summary };
  } catch {
  }
  const excerpt = text.replace(/\s+/g, " ").trim().slice(0, 200);
  return { codes: [], summary: excerpt };
}
function responseError(what, registry, status, bodyText, anonymous = false, headers) {
  const retryAfterMs = parseRetryAfter(headers ? header(headers, "retry-after") : void 0);
  const err = statusError(what, registry, status, bodyText, anonymous);
  if (retryAfterMs === void 0) return err;
  return new RegistryError(err.message, err.hint, { status, codes: err.codes, retryAfterMs });
}
function statusError(what, registry, status, bodyText, anonymous) {
  const { codes, summary } = parseErrorBody(bodyText);
  if (/^\s*<(!doctype|html|head|body)/i.test(bodyText) && ![401, 403, 413, 429].includes(status)) {
    return new RegistryError(
      `${what}: ${registry} answered ${status} with an HTML page`,
      `${registry} does not look like an OCI registry; check the host name and port`,
      { status }
    );
  }
  const detail = summary ? ` (${summary})` : "";
  const message = `${what}: ${registry} answered ${status}${detail}`;
  switch (status) {
    case 401:
      return new RegistryError(
        message,
        anonymous ? `no credentials were given for ${registry}: set username and password, or log in with docker/login-action first` : `check the username and password (or token) for ${registry}`,
        { status, codes }
      );
    case 403:
      return new RegistryError(
        message,
        /rate.?limit/i.test(summary) ? "the registry is rate-limiting this client (GHCR counts upload sessions); lower concurrency or try later" : `the credentials are valid but may not push here; for ghcr.io give the job "permissions: packages: write"`,
        { status, codes }
      );
    case 404:
      return new RegistryError(
        message,
        codes.includes("NAME_UNKNOWN") ? "the repository does not exist; some registries (Amazon ECR) need it created before the first push" : void 0,
        { status, codes }
      );
    case 413:
      return new RegistryError(message, "a proxy in front of the registry limits request bodies", {
        status,
        codes
      });
    case 429:
      return new RegistryError(message, "the registry is rate-limiting this client; try again later", {
        status,
        codes
      });
    default:
      return new RegistryError(message, void 0, { status, codes });
  }
}
function redirectLoopError(what, registry, max) {
  return new RegistryError(
    `${what}: ${registry} redirected more than ${max} times`,
    "the registry or a proxy redirects in a loop; check the registry address and the proxy configuration"
  );
}
var SILENCE_CODES = /* @__PURE__ */ new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);
var BROKEN_CODES = /* @__PURE__ */ new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);
var SHORT_BODY_CODE = "UND_ERR_RES_CONTENT_LENGTH_MISMATCH";
function networkError(what, registry, err, silentMs, answered = false) {
  const code = err.code ?? "";
  const text = err.message;
  if (code === SHORT_BODY_CODE) {
    return new RegistryError(
      `${what}: ${registry} broke off its answer (the connection closed before the length it announced)`,
      "the registry or a proxy in front of it dropped the connection; try again",
      { cause: err }
    );
  }
  if (SILENCE_CODES.has(code)) {
    const after = silentMs === void 0 ? "" : ` after ${formatSeconds2(silentMs)}`;
    return new RegistryError(
      `${what}: no answer from ${registry}${after} (${code === "UND_ERR_BODY_TIMEOUT" ? "it stopped in the middle of its answer" : "the connection was made, but no answer came"})`,
      "the registry or a proxy in front of it is stuck or overloaded; try again later",
      { cause: err, network: true }
    );
  }
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER" || /wrong version number/i.test(text)) {
    return new RegistryError(
      `${what}: ${registry} speaks plain HTTP, not HTTPS`,
      `list ${registry} in insecure-registries to use plain HTTP (only on a network you trust)`,
      { cause: err, network: true }
    );
  }
  const handshake = /before secure TLS connection/i.test(text);
  const verb = (BROKEN_CODES.has(code) || answered) && !handshake ? "lost the connection to" : "cannot reach";
  const message = `${what}: ${verb} ${registry}: ${text}${code && !text.includes(code) ? ` (${code})` : ""}`;
  let hint;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") hint = "check the registry host name";
  else if (code === "ECONNREFUSED") hint = "is the registry running, and on this port?";
  else if (handshake) {
    hint = `the server hung up on the TLS handshake: if ${registry} speaks plain HTTP, list it in insecure-registries (only on a network you trust)`;
  } else if (code.startsWith("HPE_") || /does not match the HTTP/i.test(text)) {
    hint = `${registry} does not speak HTTP; check the host name and port`;
  } else if (/certificate|SSL|TLS|CERT_/i.test(`${code} ${text}`)) {
    hint = "the TLS certificate is not trusted: give its CA with the ca-file input (or NODE_EXTRA_CA_CERTS), or list the registry in insecure-registries to skip verification";
  }
  return new RegistryError(message, hint, { cause: err, network: true });
}
function formatSeconds2(ms) {
  const seconds = ms / 1e3;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

// src/registry/blobs.ts
var import_node_stream = __toESM(require_node_stream(), 1);

// src/registry/transport/answer.ts
var ERROR_BODY_BYTES = 64 << 10;
var TOKEN_ANSWER_BYTES = 1 << 20;
async function readAnswer(res, max, what, host, hint) {
  return readBounded(
    res.body,
    max,
    () => new RegistryError(
      `${what}: ${host} sent more than ${formatBytes(max)}, more than such an answer can be (reading stopped there)`,
      hint ?? "the server is not a registry, or it is broken; check the registry and any proxy in front of it"
    )
  );
}
async function errorText(res) {
  return (await readPrefix(res.body, ERROR_BODY_BYTES)).toString("utf8");
}

// src/registry/transport/challenge.ts
var TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
var TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y;
var SPACE = /[ \t]*/y;
function parseChallenges(header2) {
  if (header2 === void 0) return [];
  const values = typeof header2 === "string" ? [header2] : header2;
  return values.flatMap(parseOne);
}
function parseOne(text) {
  const challenges = [];
  let pos = 0;
  let current;
  const match = (re) => {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m || m[0] === "") return void 0;
    pos = re.lastIndex;
    return m[0];
  };
  const skipSpace = () => {
    SPACE.lastIndex = pos;
    SPACE.exec(text);
    pos = SPACE.lastIndex;
  };
  const quoted = () => {
    if (text[pos] !== '"') return void 0;
    let out = "";
    for (let i = pos + 1; i < text.length; i++) {
      const c = text[i];
      if (c === "\\" && i + 1 < text.length) {
        out += text[++i] ?? "";
      } else if (c === '"') {
        pos = i + 1;
        return out;
      } else {
        out += c ?? "";
      }
    }
    return void 0;
  };
  const skipToComma = () => {
    while (pos < text.length && text[pos] !== ",") pos++;
  };
  while (pos < text.length) {
    skipSpace();
    if (text[pos] === ",") {
      pos++;
      continue;
    }
    const start = pos;
    const name = match(TOKEN);
    if (name === void 0) {
      pos++;
      skipToComma();
      continue;
    }
    skipSpace();
    if (text[pos] === "=" && current) {
      pos++;
      skipSpace();
      const value = quoted() ?? match(TOKEN);
      if (value === void 0) {
        skipToComma();
        continue;
      }
      const key = name.toLowerCase();
      if (!(key in current.params)) current.params[key] = value;
      continue;
    }
    pos = start + name.length;
    current = { scheme: name.toLowerCase(), params: {} };
    challenges.push(current);
    skipSpace();
    const afterScheme = pos;
    const word = match(TOKEN);
    if (word !== void 0) {
      skipSpace();
      if (text[pos] === "=") {
        pos = afterScheme;
        continue;
      }
      pos = afterScheme;
    }
    if (match(TOKEN68) !== void 0) {
      skipSpace();
      if (pos < text.length && text[pos] !== ",") skipToComma();
    }
  }
  return challenges;
}

// src/registry/transport/origin.ts
var OriginPolicy = class {
  registry;
  /** Listed in insecure-registries: plain HTTP and unverified TLS are allowed. */
  insecure;
  /** Base URLs to try, in order. */
  candidates;
  #insecureRegistries;
  constructor(registry, insecureRegistries) {
    this.registry = registry;
    this.#insecureRegistries = insecureRegistries;
    this.insecure = isListedInsecure(registry, insecureRegistries);
    const host = registryApiHost(registry);
    this.candidates = isLoopbackRegistry(registry) ? [`http://${host}`, `https://${host}`] : this.insecure ? [`https://${host}`, `http://${host}`] : [`https://${host}`];
  }
  /** Whether `host` (`name[:port]`, any host, not only this registry) may be spoken to in plain HTTP. */
  plainHttpAllowed(host) {
    return isLoopbackRegistry(host) || isListedInsecure(host, this.#insecureRegistries);
  }
  /**
   * Throws unless a request may go from `from` to `to` (a redirect, an upload Location): never to plain
   * HTTP but on a host that may get it (loopback, insecure-registries), never to a scheme other than these.
   */
  checkMove(what, from, to) {
    if (to.protocol !== "https:" && to.protocol !== "http:") {
      throw new RegistryError(
        `${what}: ${this.registry} sent the client to "${to.href}", which is not an http(s) URL`,
        "the registry or a proxy in front of it is misconfigured; ask its operator"
      );
    }
    if (to.protocol === "http:" && !this.plainHttpAllowed(to.host)) {
      throw new RegistryError(
        `${what}: the client was sent from ${from ? from.origin : this.registry} to plain-HTTP ${to.origin}; refused, nothing was sent there`,
        `plain HTTP would expose the data and credentials; fix the registry's URL settings, or list ${to.host} in insecure-registries if that network is trusted`
      );
    }
  }
};
async function discoverOrigin(policy, ping) {
  for (let i = 0; ; i++) {
    const origin = policy.candidates[i] ?? "";
    const another = i + 1 < policy.candidates.length;
    let res;
    try {
      res = await ping({ method: "GET", url: `${origin}/v2/` });
    } catch (err) {
      if (another && speaksOtherProtocol(err)) continue;
      throw err;
    }
    const text = await errorText(res);
    if (another && origin.startsWith("http:") && res.status === 400 && /https/i.test(text)) continue;
    return { origin, res, text };
  }
}
function speaksOtherProtocol(err) {
  const cause = err instanceof RegistryError && err.cause !== void 0 ? err.cause : err;
  const code = cause.code;
  return code === "ERR_SSL_WRONG_VERSION_NUMBER" || code === "ERR_SSL_PACKET_LENGTH_TOO_LONG" || code === "EPROTO" || code === "ECONNRESET" || code === "UND_ERR_SOCKET";
}

// src/registry/transport/auth.ts
var EXPIRY_MARGIN_MS = 1e4;
var DEFAULT_TOKEN_SECONDS = 60;
var Authenticator = class {
  #registry;
  #origins;
  #baseUrl;
  #credentials;
  #transmit;
  #onSecret;
  #retrying;
  #challenge;
  #tokens = /* @__PURE__ */ new Map();
  constructor(options) {
    this.#registry = options.registry;
    this.#origins = options.origins;
    this.#baseUrl = options.origins.candidates[0] ?? "";
    this.#credentials = options.credentials;
    this.#transmit = options.transmit;
    this.#onSecret = options.onSecret;
    this.#retrying = options.retrying;
  }
  /** The registry's base URL, once `GET /v2/` has told which scheme it speaks. */
  async baseUrl() {
    await (this.#challenge ??= this.#ping());
    return this.#baseUrl;
  }
  /** The `Authorization` header for a request that needs `scopes`, or undefined for anonymous access. */
  async authorization(scopes) {
    this.#challenge ??= this.#ping();
    const challenge = await this.#challenge;
    if (!challenge) return void 0;
    if (challenge.scheme === "basic") return this.#basic();
    const key = [...scopes].sort().join(" ");
    let token = this.#tokens.get(key);
    if (token) {
      const cached = await token.catch(() => void 0);
      if (!cached || cached.expiresAt <= Date.now()) token = void 0;
    }
    if (!token) {
      token = this.#fetchToken(challenge, scopes);
      this.#tokens.set(key, token);
      token.catch(() => this.#tokens.delete(key));
    }
    return `Bearer ${(await token).value}`;
  }
  /**
   * Called when a request was answered 401: forgets the token for these scopes and takes the registry's new
   * challenge, so the next `authorization()` fetches a fresh token (expired tokens, scope changes).
   */
  invalidate(scopes, wwwAuthenticate) {
    this.#tokens.delete([...scopes].sort().join(" "));
    const challenge = pickChallenge(parseChallenges(wwwAuthenticate));
    if (challenge) this.#challenge = Promise.resolve(challenge);
  }
  async #ping() {
    const { res, text } = await this.#retrying("connecting", () => this.#pingOrigins());
    if (res.status === 401) {
      const challenge = pickChallenge(parseChallenges(header(res.headers, "www-authenticate")));
      if (!challenge) {
        throw new RegistryError(
          `connecting: ${this.#registry} answered 401 without a Basic or Bearer challenge`,
          "this registry needs an authentication scheme image-push does not speak",
          { status: 401 }
        );
      }
      return challenge;
    }
    if (res.status >= 200 && res.status < 300) return void 0;
    if (res.status === 404) {
      throw new RegistryError(
        `connecting: ${this.#baseUrl}/v2/ answered 404`,
        `${this.#registry} does not look like an OCI registry; check the host name`,
        { status: 404 }
      );
    }
    throw responseError("connecting", this.#registry, res.status, text);
  }
  /** `GET /v2/` until an origin answers in a protocol it speaks; 429 and 5xx are worth a retry. */
  async #pingOrigins() {
    const { origin, res, text } = await discoverOrigin(
      this.#origins,
      (req) => this.#transmit("connecting", this.#registry, req)
    );
    this.#baseUrl = origin;
    if (res.status === 429 || res.status >= 500) {
      throw responseError("connecting", this.#registry, res.status, text, false, res.headers);
    }
    return { res, text };
  }
  /** The token spec's GET: Basic credentials (if any) for the scopes in the query. */
  #tokenRequest(url) {
    const basic = this.#basic();
    return { method: "GET", url: url.href, headers: basic ? { authorization: basic } : {} };
  }
  /** The OAuth2 form (docker/distribution's token spec): trade the identity token for an access token. */
  #refreshTokenRequest(url, identityToken) {
    this.#onSecret(identityToken);
    const form = new URLSearchParams({ grant_type: "refresh_token", client_id: "image-push" });
    form.set("refresh_token", identityToken);
    const service = url.searchParams.get("service");
    if (service) form.set("service", service);
    const scopes = url.searchParams.getAll("scope");
    if (scopes.length) form.set("scope", scopes.join(" "));
    const realm = new URL(url.href);
    realm.search = "";
    return {
      method: "POST",
      url: realm.href,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.toString()
    };
  }
  /**
   * The token realm is the registry's to name, and may be another host (Docker Hub, GHCR do that), but
   * the credentials sent there must not travel in clear text: a plain-HTTP realm is refused unless its host
   * is loopback or listed as insecure, as is any scheme but http(s).
   */
  #checkRealm(url) {
    const what = `authenticating to ${this.#registry}`;
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new RegistryError(
        `${what}: the token realm "${url.href}" is not an http(s) URL`,
        "the registry is misconfigured (auth.token.realm); ask its operator"
      );
    }
    if (this.#credentials && url.protocol === "http:" && !this.#origins.plainHttpAllowed(url.host)) {
      throw new RegistryError(
        `${what}: the registry sends clients to the plain-HTTP token realm ${url.origin}; refused to send the credentials there in clear text`,
        `the registry should name an https:// realm; list ${url.host} in insecure-registries only if that network is trusted`
      );
    }
  }
  #basic() {
    if (!this.#credentials) return void 0;
    const value = Buffer.from(`${this.#credentials.username}:${this.#credentials.password}`).toString(
      "base64"
    );
    this.#onSecret(value);
    return `Basic ${value}`;
  }
  async #fetchToken(challenge, scopes) {
    const realm = challenge.params.realm;
    if (!realm) {
      throw new RegistryError(
        `authenticating: ${this.#registry} sent a Bearer challenge without a realm`,
        void 0
      );
    }
    let url;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError(
        `authenticating: ${this.#registry} sent an invalid token realm "${realm}"`,
        "the realm must be an absolute https:// URL (auth.token.realm); ask the registry operator"
      );
    }
    this.#checkRealm(url);
    if (challenge.params.service) url.searchParams.set("service", challenge.params.service);
    for (const scope of scopes) url.searchParams.append("scope", scope);
    const what = `getting a token for ${scopes.join(" ")}`;
    const identityToken = this.#credentials?.identityToken;
    const text = await this.#retrying(what, async () => {
      const res = await this.#transmit(
        what,
        url.host,
        identityToken ? this.#refreshTokenRequest(url, identityToken) : this.#tokenRequest(url)
      );
      if (res.status !== 200) {
        throw responseError(what, url.host, res.status, await errorText(res), false, res.headers);
      }
      return (await readAnswer(res, TOKEN_ANSWER_BYTES, what, url.host)).toString("utf8");
    });
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      throw new RegistryError(
        `${what}: the token service at ${url.host} answered with something that is not JSON`,
        void 0
      );
    }
    const value = body.token ?? body.access_token;
    if (!value) throw new RegistryError(`${what}: the token service at ${url.host} sent no token`, void 0);
    this.#onSecret(value);
    const seconds = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    const lifetime = Math.max(seconds * 1e3 - EXPIRY_MARGIN_MS, seconds * 1e3 / 2);
    return { value, expiresAt: Date.now() + lifetime };
  }
};
function pickChallenge(challenges) {
  return challenges.find((c) => c.scheme === "bearer") ?? challenges.find((c) => c.scheme === "basic");
}

// src/registry/transport/body-limit.ts
var MiB = 1024 * 1024;
var FIRST_FALLBACK_CHUNK = 64 * MiB;
var SMALLEST_CHUNK = 1 * MiB;
var BodyLimit = class {
  #chunkSize;
  /** The chunk size uploads should use; undefined while no body was refused (one PUT per blob). */
  get chunkSize() {
    return this.#chunkSize;
  }
  /**
   * A body of `tried` bytes was refused with `err` (a 413): returns the next chunk size to try, and keeps it
   * for later uploads; throws the 413, explained, when no chunk of at least `minChunk` bytes may be sent.
   */
  refused(tried, minChunk, err) {
    let next = FIRST_FALLBACK_CHUNK;
    while (next >= tried) next /= 2;
    const min = Math.max(SMALLEST_CHUNK, minChunk);
    if (next < min) {
      throw new RegistryError(
        `${err.message}; even ${tried}-byte bodies are refused, and chunks may not be smaller than ${min} bytes`,
        "raise the body-size limit of the proxy in front of the registry (nginx: client_max_body_size)",
        { status: 413 }
      );
    }
    this.#chunkSize = Math.min(this.#chunkSize ?? next, next);
    return next;
  }
};

// src/registry/transport/deadline.ts
var import_node_events = __toESM(require_node_events(), 1);
var Deadline = class {
  limitMs;
  /** The input that sets the limit, named in the error. */
  input;
  #last = Date.now();
  #lastFailure;
  #controller = new AbortController();
  #timer;
  /** Requests in flight: the bound only passes while the push waits on the network. */
  #waiting = 0;
  constructor(limitMs, input = "retry-timeout") {
    this.limitMs = limitMs;
    this.input = input;
    (0, import_node_events.setMaxListeners)(0, this.#controller.signal);
  }
  /** A failure about to be retried: named in the error if the bound passes before the next try. */
  failed(err) {
    if (err instanceof Error) this.#lastFailure = err;
  }
  /** A sign of life: the bound moves to `limitMs` from now. Nothing moves it once it has passed. */
  touch() {
    if (!this.#controller.signal.aborted) this.#last = Date.now();
  }
  remaining() {
    return this.#last + this.limitMs - Date.now();
  }
  get expired() {
    return this.remaining() <= 0 || this.#controller.signal.aborted;
  }
  /** Aborted once the bound passes while a request is in flight; undici then cancels them all. */
  get signal() {
    return this.#controller.signal;
  }
  /** Runs `fn` as a network wait: the bound may pass, and abort it, meanwhile. */
  async waiting(fn) {
    if (this.#waiting++ === 0) this.#arm();
    try {
      return await fn();
    } finally {
      if (--this.#waiting === 0) clearTimeout(this.#timer);
    }
  }
  /** The failure that ends the push: what went wrong last, and that retry-timeout ran out. */
  error(last, what) {
    if (last instanceof DeadlineError) return last;
    const failure = last instanceof Error ? last : this.#lastFailure;
    const before = failure ? failure.message : what ?? "pushing";
    return new DeadlineError(
      `${before}; gave up after ${formatSeconds2(this.limitMs)} without progress (${this.input})`,
      `raise ${this.input} if the registry is only slow`
    );
  }
  /** Stops the timer (the push is over). */
  close() {
    clearTimeout(this.#timer);
  }
  #arm() {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(
      () => {
        if (this.#waiting === 0) return;
        if (this.remaining() > 0) this.#arm();
        else this.#controller.abort(new DeadlinePassed(this.limitMs, this.input));
      },
      Math.max(this.remaining(), 0) + 5
    );
    this.#timer.unref();
  }
};
var DeadlineError = class extends RegistryError {
  constructor(message, hint) {
    super(message, hint, { network: true });
    this.name = "DeadlineError";
  }
};
var DeadlinePassed = class extends Error {
  constructor(limitMs, input) {
    super(`no progress for ${formatSeconds2(limitMs)} (${input})`);
    this.name = "DeadlinePassed";
  }
};

// src/registry/transport/retry.ts
var import_promises = __toESM(require_promises2(), 1);
var RETRYABLE_STATUSES = /* @__PURE__ */ new Set([408, 429, 500, 502, 503, 504]);
var RETRYABLE_CODES = /* @__PURE__ */ new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  // A body that ended short of its Content-Length: the connection closed in the middle of an answer.
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH"
]);
function retryReason(err) {
  if (err instanceof RegistryError) {
    if (err.status === 403 && /rate.?limit/i.test(err.message)) return "HTTP 403 (rate limit)";
    if (err.status !== void 0)
      return RETRYABLE_STATUSES.has(err.status) ? `HTTP ${err.status}` : void 0;
    return retryReason(err.cause);
  }
  const code = errorCode(err);
  if (code && RETRYABLE_CODES.has(code)) return code;
  if (err instanceof Error && err.cause !== void 0) return retryReason(err.cause);
  return void 0;
}
function isRefused(err) {
  for (let e = err, depth = 0; e !== void 0 && depth < 8; depth++) {
    if (errorCode(e) === "ECONNREFUSED") return true;
    e = e instanceof Error ? e.cause : void 0;
  }
  return false;
}
function errorCode(err) {
  if (typeof err !== "object" || err === null) return void 0;
  const code = err.code;
  return typeof code === "string" ? code : void 0;
}
function backoffDelay(policy, retry, random = Math.random) {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(ceiling / 2 + random() * ceiling / 2);
}
var firstRefusal = /* @__PURE__ */ new WeakMap();
var RetryBudget = class {
  #policy;
  #log;
  #what;
  #deadline;
  #started = Date.now();
  #retries = 0;
  constructor(policy, log, what, deadline) {
    this.#policy = policy;
    this.#log = log;
    this.#what = what;
    this.#deadline = deadline;
  }
  get retries() {
    return this.#retries;
  }
  /** `reason` overrides the judgement of `err`: for failures only the caller knows how to recover from. */
  async next(err, reason = retryReason(err)) {
    let refused = false;
    let refusedLeft = 0;
    if (reason === void 0 && isRefused(err)) {
      const key = this.#deadline ?? this;
      const since = firstRefusal.get(key) ?? Date.now();
      firstRefusal.set(key, since);
      refusedLeft = (this.#policy.refusedWindowMs ?? REFUSED_WINDOW_MS) - (Date.now() - since);
      refused = refusedLeft > 0;
    }
    if (refused) reason = "connection refused (still starting?)";
    if (reason === void 0) throw err;
    const pushLeft = this.#deadline?.remaining() ?? Number.POSITIVE_INFINITY;
    if (this.#deadline && pushLeft <= 0) throw this.#deadline.error(err);
    const elapsed = Date.now() - this.#started;
    if (this.#retries >= this.#policy.retries) throw err;
    if (elapsed >= this.#policy.maxElapsedMs) throw this.#deadline ? this.#deadline.error(err) : err;
    const asked = err instanceof RegistryError ? err.retryAfterMs : void 0;
    let delay = asked ?? backoffDelay(this.#policy, this.#retries);
    if (refused) delay = Math.max(50, Math.min(delay, refusedLeft));
    const left = this.#policy.maxElapsedMs - elapsed;
    if (delay > left) {
      if (asked !== void 0) throw err;
      delay = left;
    }
    if (this.#deadline && delay >= pushLeft) throw this.#deadline.error(err);
    this.#deadline?.failed(err);
    this.#retries++;
    this.#policy.tally?.add(reason);
    this.#log.info(
      `${this.#what}: ${reason}, retry ${this.#retries} of ${this.#policy.retries} in ${(delay / 1e3).toFixed(1)}s`
    );
    await (0, import_promises.setTimeout)(delay);
  }
};

// src/registry/transport/client.ts
var RETRY_LATER = /* @__PURE__ */ new Set([408, 429, 500, 502, 503, 504]);
var CLEANUP_TIMEOUT_MS = 5e3;
function pushScope(repository) {
  return `repository:${repository}:pull,push`;
}
var RegistryClient = class {
  registry;
  /** True when no credentials were given: a 401 then means "log in", not "wrong password". */
  get anonymous() {
    return this.#anonymous;
  }
  log;
  /** What uploads learnt about the largest body that gets through to this registry. */
  bodyLimit = new BodyLimit();
  deadline;
  origins;
  #auth;
  #dispatcher;
  #userAgent;
  #anonymous;
  #policy;
  #timeouts;
  constructor(registry, options) {
    this.registry = registry;
    this.origins = new OriginPolicy(registry, options.insecureRegistries);
    this.#dispatcher = options.transport.dispatcher(!this.origins.insecure);
    this.#userAgent = options.userAgent;
    this.#anonymous = options.credentials === void 0;
    this.#policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.deadline = options.deadline ?? new Deadline(this.#policy.maxElapsedMs);
    this.log = options.log;
    this.#auth = new Authenticator({
      registry,
      origins: this.origins,
      credentials: options.credentials,
      transmit: (what, host, req) => this.transmit(what, host, req),
      onSecret: options.onSecret,
      retrying: (what, fn) => this.retrying(what, fn)
    });
  }
  retryBudget(what) {
    return new RetryBudget(this.#policy, this.log, what, this.deadline);
  }
  /** Runs `fn` again after failures worth retrying, within this client's retry budget. */
  async retrying(what, fn) {
    const budget = this.retryBudget(what);
    for (; ; ) {
      try {
        return await fn();
      } catch (err) {
        await budget.next(err);
      }
    }
  }
  /** Sends a request needing `scopes`; `what` names the operation in errors ("uploading blob sha256:..."). */
  async request(what, scopes, req) {
    if (!req.cleanup) this.deadline.touch();
    try {
      if (req.once || req.cleanup) return await this.#send(what, scopes, req);
      return await this.retrying(what, () => this.#send(what, scopes, req));
    } catch (err) {
      if (err instanceof RegistryError) err.where ??= this.#where(req.url);
      throw err;
    }
  }
  /** `REGISTRY/REPOSITORY` for a `/v2/REPOSITORY/(blobs|manifests|tags|referrers)/...` path, else the registry. */
  #where(url) {
    let path = url;
    try {
      if (!url.startsWith("/")) path = new URL(url).pathname;
    } catch {
      return this.registry;
    }
    const match = /^\/v2\/(.+?)\/(?:blobs|manifests|tags|referrers)\//.exec(path);
    return match?.[1] ? `${this.registry}/${match[1]}` : this.registry;
  }
  /**
   * A request whose answer is read whole into memory (a manifest, a listing, a config): at most `maxBytes`
   * of it (`tooLarge` says what more means; one that announces more is not read at all), and a body cut in
   * the middle is retried like a failed request. Answers in `ok` but 200 are dumped: their `bytes` are empty.
   */
  async requestBytes(what, scopes, req) {
    this.deadline.touch();
    const tooLarge2 = req.tooLarge ?? (() => new RegistryError(
      `${what}: ${this.registry} sent more than ${req.maxBytes} bytes, more than such an answer can be`,
      "the server is not a registry, or it is broken; check the registry and any proxy in front of it"
    ));
    return this.retrying(what, async () => {
      const res = await this.#send(what, scopes, req);
      const { body, ...rest } = res;
      if (res.status !== 200) {
        await body.dump();
        return { ...rest, bytes: Buffer.alloc(0) };
      }
      const declared = Number(header(res.headers, "content-length"));
      if (Number.isSafeInteger(declared) && declared > req.maxBytes) {
        body.destroy();
        throw tooLarge2(declared);
      }
      try {
        return { ...rest, bytes: await readBounded(body, req.maxBytes, () => tooLarge2(void 0)) };
      } catch (err) {
        if (err instanceof ImagePushError) throw err;
        throw networkError(what, this.registry, err, void 0, true);
      }
    });
  }
  /**
   * One HTTP exchange with `host` (this registry, its token realm, object storage): the timeouts that fit
   * it, the push's deadline, a "still waiting" line while the server is silent, no HTTPS -> HTTP redirect,
   * and failures as RegistryErrors that say whether the server was unreachable or silent.
   */
  async transmit(what, host, req, options = {}) {
    const t = this.#timeouts;
    const length = Number(req.headers?.["content-length"] ?? 0);
    const upload = req.body !== void 0 && length > 0;
    const headersTimeout = options.cleanup ? CLEANUP_TIMEOUT_MS : upload ? t.uploadMs + Math.round(length / 2 ** 30 * t.uploadPerGiBMs) : t.headersMs;
    const signal = options.cleanup ? AbortSignal.timeout(CLEANUP_TIMEOUT_MS) : this.deadline.signal;
    if (!options.cleanup && this.deadline.expired) {
      throw this.deadline.error(void 0, `${what}: ${host}`);
    }
    const started = Date.now();
    const notice = this.#noticeWhileSilent(host, req.body);
    try {
      const exchange = () => send(this.#dispatcher, {
        ...req,
        headersTimeout,
        bodyTimeout: options.cleanup ? CLEANUP_TIMEOUT_MS : t.bodyMs,
        signal,
        checkRedirect: (from, to) => this.origins.checkMove(what, from, to)
      });
      const res = options.cleanup ? await exchange() : await this.deadline.waiting(exchange);
      if (res.redirectsExhausted) {
        await res.body.dump();
        throw redirectLoopError(what, host, MAX_REDIRECTS);
      }
      if (!RETRY_LATER.has(res.status)) this.deadline.touch();
      this.#capBody(what, host, res, options.cleanup ? CLEANUP_TIMEOUT_MS : t.bodyTotalMs);
      return res;
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      if (signal.aborted && !options.cleanup) {
        const waited = Date.now() - started;
        const silent = `${what}: no answer from ${host} after ${formatSeconds2(waited)}`;
        throw waited >= 1e3 ? this.deadline.error(new RegistryError(silent, void 0, { network: true })) : this.deadline.error(void 0, silent);
      }
      const code = err.code;
      const silentMs = code === "UND_ERR_BODY_TIMEOUT" ? t.bodyMs : headersTimeout;
      throw networkError(what, host, err, silentMs);
    } finally {
      notice();
    }
  }
  /**
   * A server that trickles its answer (a byte every few seconds) never trips the silence timeout: the body
   * must be complete within `ms`, or it is cut with an error that says so (and may be retried).
   */
  #capBody(what, host, res, ms) {
    const timer = setTimeout(() => {
      const slow = Object.assign(new Error("answer not complete"), { code: "UND_ERR_BODY_TIMEOUT" });
      res.body.destroy(
        new RegistryError(
          `${what}: ${host} answers too slowly (its answer was not complete after ${formatSeconds2(ms)})`,
          "the registry or a proxy in front of it is overloaded; try again later",
          { cause: slow, network: true }
        )
      );
    }, ms);
    timer.unref();
    res.body.once("close", () => clearTimeout(timer));
  }
  /**
   * Logs "still waiting" every `noticeMs` until the answer comes; for a request with a streamed body, from
   * its last byte on (sending a large body is not silence). Returns the function that stops it.
   */
  #noticeWhileSilent(host, body) {
    let timer;
    let stopped = false;
    const start = () => {
      if (stopped) return;
      const since = Date.now();
      timer = setInterval(() => {
        const seconds = Math.round((Date.now() - since) / 1e3);
        this.log.info(`still waiting for ${host} (${seconds} s without an answer)`);
      }, this.#timeouts.noticeMs);
      timer.unref();
    };
    if (body && typeof body === "object" && "once" in body) body.once("end", start);
    else start();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }
  async #send(what, scopes, req) {
    const base = new URL(await this.#auth.baseUrl());
    const target = new URL(req.url, base);
    this.origins.checkMove(what, base, target);
    const url = target.href;
    const sameOrigin = target.origin === base.origin;
    for (let attempt = 0; ; attempt++) {
      const authorization = sameOrigin ? await this.#auth.authorization(scopes) : void 0;
      const headers = { "user-agent": this.#userAgent, ...req.headers };
      if (authorization) headers.authorization = authorization;
      const body = req.body ? await req.body() : void 0;
      const res = await this.transmit(
        what,
        sameOrigin ? this.registry : target.host,
        { method: req.method, url, headers, ...body ? { body } : {} },
        { cleanup: req.cleanup === true }
      );
      if (res.status === 401 && attempt === 0) {
        this.#auth.invalidate(scopes, header(res.headers, "www-authenticate"));
        if (!req.once && !req.cleanup) {
          await res.body.dump();
          continue;
        }
      }
      if (!req.ok.includes(res.status)) {
        const text = req.method === "HEAD" ? "" : await errorText(res).catch(() => "");
        if (req.method === "HEAD") await res.body.dump();
        throw responseError(what, this.registry, res.status, text, this.#anonymous, res.headers);
      }
      return res;
    }
  }
};

// src/registry/blobs.ts
async function blobExists(client, repository, blob) {
  return await blobSize(client, repository, blob.digest) === blob.size;
}
async function blobSize(client, repository, digest) {
  const res = await client.request(`checking blob ${digest}`, [pushScope(repository)], {
    method: "HEAD",
    url: `/v2/${repository}/blobs/${digest}`,
    ok: [200, 403, 404]
  });
  await res.body.dump();
  const stored = header(res.headers, "docker-content-digest");
  const length = Number(header(res.headers, "content-length"));
  if (res.status !== 200 || stored !== void 0 && stored !== digest || !Number.isSafeInteger(length))
    return void 0;
  return length;
}
async function mountBlob(client, repository, blob, from) {
  const what = `mounting blob ${blob.digest} from ${from} into ${repository}`;
  const query = new URLSearchParams({ mount: blob.digest, from });
  let res;
  try {
    res = await client.request(what, [pushScope(repository), `repository:${from}:pull`], {
      method: "POST",
      url: `/v2/${repository}/blobs/uploads/?${query.toString()}`,
      headers: { "content-length": "0" },
      ok: [201, 202]
    });
  } catch (err) {
    if (err instanceof RegistryError && (err.status === 401 || err.status === 403 || err.status === 404)) {
      return false;
    }
    throw err;
  }
  await res.body.dump();
  const location = header(res.headers, "location");
  if (res.status === 202) {
    if (location) await cancelUpload(client, repository, new URL(location, res.url));
    return false;
  }
  const stored = header(res.headers, "docker-content-digest");
  return stored === void 0 || stored === blob.digest;
}
async function cancelUpload(client, repository, location) {
  try {
    const res = await client.request(`cancelling an upload to ${repository}`, [pushScope(repository)], {
      method: "DELETE",
      url: location.href,
      ok: [202, 204, 404],
      cleanup: true
    });
    await res.body.dump();
  } catch {
  }
}
function readBlob(client, repository, blob, options = {}) {
  return import_node_stream.Readable.from(blobChunks(client, repository, blob, options), { objectMode: false });
}
async function* blobChunks(client, repository, blob, { verify = true, onResume }) {
  const from = `${client.registry}/${repository}`;
  const what = `reading blob ${blob.digest} from ${from}`;
  const hash = createSha256();
  let passed = 0;
  let budget = client.retryBudget(what);
  let passedAtFailure = 0;
  for (; ; ) {
    const res = await client.request(what, [`repository:${repository}:pull`], {
      method: "GET",
      url: `/v2/${repository}/blobs/${blob.digest}`,
      headers: passed > 0 ? { range: `bytes=${passed}-` } : {},
      ok: [200, 206]
    });
    let skip = passed;
    if (res.status === 206) {
      const range = header(res.headers, "content-range") ?? "";
      const start = Number(/^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(range.trim())?.[1] ?? Number.NaN);
      if (!(start <= passed)) {
        const err = new RegistryError(
          `${what}: asked for bytes from ${passed} on, ${client.registry} sent ${range ? `the range "${range}"` : "a partial answer without Content-Range"}`,
          "the registry or a proxy in front of it answers ranges wrongly; try again, or without that proxy"
        );
        res.body.on("error", () => {
        });
        res.body.destroy();
        throw err;
      }
      skip = passed - start;
    }
    try {
      for await (const data of res.body) {
        let chunk = data;
        if (skip > 0) {
          const dropped = Math.min(skip, chunk.length);
          skip -= dropped;
          chunk = chunk.subarray(dropped);
          if (chunk.length === 0) continue;
        }
        passed += chunk.length;
        if (verify) {
          hash.update(chunk);
          if (passed >= blob.size) checkBlob(from, blob, passed, hash);
        } else if (passed > blob.size) {
          throw new RegistryError(
            `${from} sent more than the ${blob.size} bytes of ${blob.digest}`,
            void 0
          );
        }
        yield chunk;
      }
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      res.body.destroy();
      if (passed > passedAtFailure) budget = client.retryBudget(what);
      passedAtFailure = passed;
      await budget.next(networkError(what, client.registry, err, void 0, true));
      onResume?.(passed, retryReason(err) ?? "the connection broke");
      continue;
    }
    if (passed === blob.size) {
      if (verify) checkBlob(from, blob, passed, hash);
      return;
    }
    if (passed > passedAtFailure) budget = client.retryBudget(what);
    passedAtFailure = passed;
    const short = new RegistryError(
      `${what}: the body ended after ${passed} of ${blob.size} bytes`,
      void 0,
      { network: true }
    );
    await budget.next(short, "the body ended early");
    onResume?.(passed, "the body ended early");
  }
}
function checkBlob(from, blob, passed, hash) {
  const digest = `sha256:${hash.copy().digest("hex")}`;
  if (passed !== blob.size || digest !== blob.digest) {
    throw new RegistryError(
      `${from} sent ${passed === blob.size ? "" : "more than "}${blob.size} bytes hashing to ${digest}, not ${blob.digest}`,
      "the source registry holds corrupt content, or a proxy altered it; push the image there again"
    );
  }
}
async function readSmallBlob(client, repository, descriptor, maxBytes, scope = `repository:${repository}:pull`) {
  if (descriptor.size > maxBytes) return void 0;
  const res = await openBlob(client, repository, descriptor.digest, scope);
  if (!res) return void 0;
  let bytes;
  try {
    bytes = await readBounded(res, maxBytes);
  } catch (err) {
    if (err instanceof TooLargeError) return void 0;
    throw err;
  }
  return sha256Digest(bytes) === descriptor.digest ? bytes : void 0;
}
async function openBlob(client, repository, digest, scope = `repository:${repository}:pull`) {
  const res = await client.request(`reading blob ${digest}`, [scope], {
    method: "GET",
    url: `/v2/${repository}/blobs/${digest}`,
    ok: [200, 404]
  });
  if (res.status === 404) {
    await res.body.dump();
    return void 0;
  }
  return res.body;
}

// src/registry/manifests.ts
var ManifestTooLargeError = class extends RegistryError {
  size;
  constructor(what, registry, size) {
    super(
      `${what}: ${registry} sent a manifest of ${size === void 0 ? "more than 4 MiB (reading stopped there)" : `${size} bytes, over the 4 MiB limit`}`,
      "registries refuse manifests over 4 MiB, so none can take this one"
    );
    this.name = "ManifestTooLargeError";
    this.size = size;
  }
};
async function putManifest(client, repository, reference, descriptor, bytes) {
  const what = `pushing manifest ${descriptor.digest} to ${repository}:${reference}`;
  const res = await client.request(what, [pushScope(repository)], {
    method: "PUT",
    url: `/v2/${repository}/manifests/${reference}`,
    headers: { "content-type": descriptor.mediaType, "content-length": String(bytes.length) },
    body: () => Promise.resolve(bytes),
    ok: [200, 201, 202]
  });
  await res.body.dump();
  const stored = header(res.headers, "docker-content-digest");
  if (stored !== void 0 && stored !== descriptor.digest) {
    throw new RegistryError(
      `${what}: ${client.registry} stored it as ${stored}`,
      "the registry rewrote the manifest; the pushed digest would not be the one reported"
    );
  }
  return { subjectAccepted: header(res.headers, "oci-subject") !== void 0 };
}
async function putTag(client, repository, tag, descriptor, bytes) {
  try {
    await putManifest(client, repository, tag, descriptor, bytes);
  } catch (err) {
    if (err instanceof RegistryError && [400, 403, 409, 412].includes(err.status ?? 0) && /immutable|already exists|cannot be overwritten/i.test(err.message)) {
      throw new RegistryError(
        `${client.registry}/${repository}:${tag} is an immutable tag: the registry refuses to move it (${err.message})`,
        "push under a new tag (e.g. the commit SHA), or make the repository's tags mutable (ECR: image tag mutability; Harbor: tag immutability rules; Artifact Registry: immutable tags setting)",
        { ...err.status === void 0 ? {} : { status: err.status }, codes: err.codes, cause: err }
      );
    }
    throw err;
  }
}
var MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json"
].join(", ");
async function getManifest(client, repository, reference, scope = `repository:${repository}:pull`) {
  const what = `reading manifest ${repository}${reference.includes(":") ? "@" : ":"}${reference}`;
  const res = await client.requestBytes(what, [scope], {
    method: "GET",
    url: `/v2/${repository}/manifests/${reference}`,
    headers: { accept: MANIFEST_ACCEPT },
    ok: [200, 404],
    maxBytes: MAX_MANIFEST_BYTES,
    tooLarge: (size) => new ManifestTooLargeError(what, client.registry, size)
  });
  if (res.status === 404) return void 0;
  const bytes = res.bytes;
  const digest = sha256Digest(bytes);
  const expected = reference.startsWith("sha256:") ? reference : header(res.headers, "docker-content-digest");
  if (expected !== void 0 && expected !== digest) {
    throw new RegistryError(
      `${what}: ${client.registry} sent bytes hashing to ${digest}, not ${expected}`,
      "the registry or a proxy altered the manifest"
    );
  }
  const mediaType = header(res.headers, "content-type")?.split(";")[0]?.trim() ?? declaredMediaType(bytes);
  return { descriptor: { mediaType, digest, size: bytes.length }, bytes };
}
async function addToReferrersTag(client, repository, subject, referrer) {
  const tag = subject.replace(":", "-");
  const existing = await getManifest(client, repository, tag);
  const listed = existing ? manifestsOf(existing.bytes) ?? [] : [];
  if (listed.some((d) => d.digest === referrer.digest)) return;
  const bytes = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...listed, referrer] })
  );
  await putManifest(
    client,
    repository,
    tag,
    { mediaType: OCI_INDEX, digest: sha256Digest(bytes), size: bytes.length },
    bytes
  );
}
async function tagDigest(client, repository, tag) {
  const res = await client.request(`checking tag ${repository}:${tag}`, [pushScope(repository)], {
    method: "HEAD",
    url: `/v2/${repository}/manifests/${tag}`,
    headers: { accept: MANIFEST_ACCEPT },
    ok: [200, 403, 404]
  });
  await res.body.dump();
  return res.status === 200 ? header(res.headers, "docker-content-digest") : void 0;
}
async function manifestExists(client, repository, descriptor) {
  const res = await client.request(
    `checking manifest ${descriptor.digest} in ${repository}`,
    [pushScope(repository)],
    {
      method: "HEAD",
      url: `/v2/${repository}/manifests/${descriptor.digest}`,
      headers: { accept: MANIFEST_ACCEPT },
      ok: [200, 403, 404]
    }
  );
  await res.body.dump();
  const stored = header(res.headers, "docker-content-digest");
  return res.status === 200 && (stored === void 0 || stored === descriptor.digest);
}
async function listReferrers(client, repository, subject) {
  const what = `listing the referrers of ${subject} in ${repository}`;
  const res = await client.requestBytes(what, [`repository:${repository}:pull`], {
    method: "GET",
    url: `/v2/${repository}/referrers/${subject}`,
    headers: { accept: OCI_INDEX },
    ok: [200, 400, 404, 405],
    maxBytes: MAX_MANIFEST_BYTES,
    tooLarge: (size) => new ManifestTooLargeError(what, client.registry, size)
  });
  const fromApi = res.status === 200 ? manifestsOf(res.bytes) : void 0;
  if (fromApi) return fromApi;
  const tagged = await getManifest(client, repository, subject.replace(":", "-"));
  return (tagged && manifestsOf(tagged.bytes)) ?? [];
}
function manifestsOf(bytes) {
  try {
    const json = JSON.parse(bytes.toString("utf8"));
    if (!Array.isArray(json.manifests)) return void 0;
    return json.manifests.filter(
      (d) => typeof d?.digest === "string"
    );
  } catch {
    return void 0;
  }
}
function declaredMediaType(bytes) {
  try {
    return parseManifest(bytes).mediaType;
  } catch {
    return "";
  }
}

// src/source/registry-source.ts
var REFERRER_LISTINGS = 8;
var FOREIGN_LAYER = /\.foreign\.|nondistributable/;
var RegistrySource = class {
  name;
  #ref;
  #clients;
  /** The store load() used: referrers() reads through it too. */
  #store;
  #client;
  /** `reference` is what follows `docker://`; it is parsed now, so a typo fails before any request. */
  constructor(reference, clients) {
    this.name = `docker://${reference}`;
    this.#ref = parseReference(reference);
    this.#clients = clients;
  }
  async load() {
    const client = this.#client ??= await this.#clients(this.#ref.registry, this.#ref.repository);
    const image = await loadRegistryImage(client, this.#ref, this.name, {
      missingHint: "check the tag or digest (skopeo inspect docker://... shows what is there)"
    });
    this.#store = image.store;
    return image.tree;
  }
  /**
   * Artifacts whose `subject` is one of `subjects` (signatures, SBOMs), and the artifacts of those: from the
   * OCI 1.1 referrers API, or the `sha256-<hex>` tag where the registry lacks it. A listing is not trusted:
   * an artifact counts only if its own bytes name the subject.
   */
  async referrers(subjects) {
    const store = this.#store;
    const client = this.#client;
    if (!store || !client) return [];
    const repository = this.#ref.repository;
    const found = [];
    const seen = new Set(subjects);
    const listing = createLimiter(REFERRER_LISTINGS);
    for (let wave = [...subjects]; wave.length > 0; ) {
      const listings = await Promise.all(
        wave.map(
          (subject) => listing(async () => ({ subject, listed: await listReferrers(client, repository, subject) }))
        )
      );
      const next = [];
      for (const { subject, listed } of listings) {
        for (const { mediaType, digest, size } of listed) {
          if (seen.has(digest)) continue;
          seen.add(digest);
          const node = await loadManifestTree(store, { mediaType, digest, size }, this.name);
          const named = JSON.parse(node.bytes.toString("utf8")).subject;
          if (named?.digest !== subject) continue;
          found.push(node);
          next.push(digest);
        }
      }
      wave = next;
    }
    return found;
  }
  close() {
    return Promise.resolve();
  }
};
async function loadRegistryImage(client, ref, sourceName, options) {
  const { registry, repository } = ref;
  const limit = options.limit ?? ((task) => task());
  const reference = ref.digest ?? ref.tag ?? "latest";
  const where = ref.digest ? `the manifest ${reference}` : `the manifest under tag ${reference}`;
  const root = await limit(() => getManifest(client, repository, reference)).catch((err) => {
    throw err instanceof ManifestTooLargeError ? tooLarge(sourceName, where, err.size, true) : err;
  });
  if (!root) {
    throw new RegistryError(
      `${sourceName}: ${registry} has no manifest ${reference} in ${repository}`,
      options.missingHint,
      { status: 404 }
    );
  }
  const store = remoteStore(client, repository, sourceName, root, limit);
  return { tree: await loadManifestTree(store, root.descriptor, sourceName, where), store };
}
function tooLarge(sourceName, where, size, root) {
  const bytes = size === void 0 ? "(it went on past 4 MiB, where reading stopped)" : `(${size} bytes)`;
  return new SourceError(
    `${sourceName}: ${where} is over the 4 MiB limit of registries ${bytes}`,
    root ? "registries refuse manifests this large, so no destination would take it; check that the reference names the image you mean" : "registries refuse manifests this large; copy another image of the index by its digest instead"
  );
}
function remoteStore(client, repository, sourceName, root, limit) {
  const mountFrom = { registry: client.registry, repository };
  return {
    manifest: async (descriptor, where) => {
      const isRoot = descriptor.digest === root.descriptor.digest;
      const what = isRoot ? where : `manifest ${descriptor.digest} (${where})`;
      if (descriptor.size > MAX_MANIFEST_BYTES) throw tooLarge(sourceName, what, descriptor.size, isRoot);
      const bytes = isRoot ? root.bytes : (await limit(() => getManifest(client, repository, descriptor.digest)).catch((err) => {
        throw err instanceof ManifestTooLargeError ? tooLarge(sourceName, what, err.size, false) : err;
      }))?.bytes;
      if (!bytes) {
        throw new SourceError(
          `${sourceName}: manifest ${descriptor.digest} (${where}) is missing from ${client.registry}/${repository}`,
          "the source image is incomplete in its registry; push it there again"
        );
      }
      if (bytes.length !== descriptor.size || sha256Digest(bytes) !== descriptor.digest) {
        throw new SourceError(
          `${sourceName}: manifest ${descriptor.digest} (${where}) does not match its descriptor (${bytes.length} bytes, not ${descriptor.size})`,
          "the source registry holds inconsistent content; push the image there again"
        );
      }
      return bytes;
    },
    blob: (descriptor) => {
      const urls = descriptor.urls;
      if (Array.isArray(urls) && urls.length > 0 && FOREIGN_LAYER.test(descriptor.mediaType)) {
        return Promise.resolve(void 0);
      }
      const blob = {
        descriptor,
        available: true,
        mountFrom,
        open: () => Promise.resolve(
          // The upload hashes every byte it sends and commits only the digest it was given.
          readBlob(client, repository, descriptor, {
            verify: false,
            onResume: (offset, reason) => client.log.info(
              `${sourceName}: reading blob ${descriptor.digest} again from byte ${offset} (${reason})`
            )
          })
        )
      };
      return Promise.resolve(blob);
    }
  };
}

// src/engine/manifest-order.ts
function postOrder(root) {
  const seen = /* @__PURE__ */ new Set();
  const out = [];
  const visit = (node) => {
    if (seen.has(node.descriptor.digest)) return;
    seen.add(node.descriptor.digest);
    node.children.forEach(visit);
    out.push(node);
  };
  visit(root);
  return out;
}
function waves(nodes) {
  const height = /* @__PURE__ */ new Map();
  const of = (node) => {
    let h = height.get(node.descriptor.digest);
    if (h === void 0) {
      h = node.children.reduce((max, child) => Math.max(max, of(child) + 1), 0);
      height.set(node.descriptor.digest, h);
    }
    return h;
  };
  const groups = [];
  for (const node of nodes) (groups[of(node)] ??= []).push(node);
  return groups.filter((g) => g.length > 0);
}

// src/engine/plan.ts
function planTree(root, targets, options = {}) {
  const manifests = postOrder(root);
  const blobs = uniqueBlobs(manifests);
  const writes = targets.flatMap(
    (target) => blobs.map((blob) => {
      const hints = options.hints?.(target, blob);
      return hints ? { target, blob, hints } : { target, blob };
    })
  );
  return {
    root,
    children: manifests.slice(0, -1),
    writes,
    references: targets.map((target) => ({
      target,
      references: target.tags.length && !options.pushByDigest ? target.tags : [root.descriptor.digest]
    }))
  };
}
async function writePlan(writer, plan, gate) {
  await writer.settle([writer.ensureAll(plan.writes), ...gate ? [gate] : []]);
  await writer.commit(plan.children, plan.root, plan.references);
}
function uniqueBlobs(manifests) {
  const byDigest = /* @__PURE__ */ new Map();
  for (const node of manifests) {
    for (const blob of node.blobs)
      if (!byDigest.has(blob.descriptor.digest)) byDigest.set(blob.descriptor.digest, blob);
  }
  return [...byDigest.values()];
}
function planResult(plan, writer, extra = {}) {
  const { digest, mediaType, size } = plan.root.descriptor;
  const parsed = parseManifest(plan.root.bytes, mediaType);
  const targets = plan.references.map((r) => r.target);
  const first = targets[0];
  return {
    digest,
    mediaType,
    size,
    references: extra.pushByDigest ? targets.map((t) => `${t.registry}/${t.repository}@${digest}`) : targets.flatMap(
      (t) => t.references.filter((ref) => !writer.lostTag(t, ref.tag ?? "")).map(formatReference)
    ),
    image: `${first.registry}/${first.repository}@${digest}`,
    blobs: writer.reports,
    bytesCompressed: extra.bytesCompressed ?? 0,
    layersRead: extra.layersRead ?? 0,
    children: plan.root.children.map(
      ({ descriptor: { digest: d, mediaType: m, size: s, platform } }) => ({
        digest: d,
        mediaType: m,
        size: s,
        ...platform ? { platform } : {}
      })
    ),
    source: extra.source,
    configDigest: parsed.kind === "manifest" ? parsed.config.digest : void 0,
    platform: parsed.kind === "manifest" ? extra.platform : void 0
  };
}

// src/registry/upload-attempt.ts
var import_node_stream2 = __toESM(require_node_stream(), 1);
var Attempt = class {
  #blob;
  #onProgress;
  #hashed;
  #source;
  #chunks;
  #leftover;
  #sourceError;
  /** Position in the blob of the next byte to send. */
  #position;
  constructor(blob, offset, onProgress) {
    this.#blob = blob;
    this.#position = offset;
    this.#onProgress = onProgress;
    onProgress(offset);
  }
  /** The whole blob as one stream, for a single PUT. */
  async whole() {
    return this.#open((count) => {
      this.#position += count;
      this.#onProgress(this.#position);
    });
  }
  /** The next `length` bytes from the current position, as a stream for one PATCH. */
  async slice(length) {
    if (!this.#chunks) {
      this.#chunks = (await this.#open())[Symbol.asyncIterator]();
      await this.#skip(this.#position);
    }
    const take = async function* (self) {
      let left = length;
      while (left > 0) {
        const chunk = await self.#next();
        if (!chunk) throw self.#sourceError ?? new Error("the blob ended early");
        const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
        if (part.length < chunk.length) self.#leftover = chunk.subarray(left);
        left -= part.length;
        self.#position += part.length;
        self.#onProgress(self.#position);
        yield part;
      }
    };
    return import_node_stream2.Readable.from(take(this), { objectMode: false });
  }
  /**
   * Fails with a SourceError unless the bytes read are exactly the descriptor's. For chunks, drains the
   * source first: its end must come exactly at the blob's size.
   */
  async verify() {
    if (!this.#hashed) this.#chunks = (await this.#open())[Symbol.asyncIterator]();
    if (this.#chunks && !this.#sourceError) {
      while (await this.#next()) {
      }
    }
    if (this.#sourceError) throw readError(this.#blob.descriptor.digest, this.#sourceError);
    const { digest, size } = this.#blob.descriptor;
    const hashed = this.#hashed;
    if (!hashed || hashed.bytes !== size || hashed.digest() !== digest) {
      throw new SourceError(
        `blob ${digest} in the source does not match its descriptor (read ${hashed?.bytes ?? 0} bytes hashing to ${hashed?.digest() ?? "nothing"})`,
        "the source is corrupt; export the image again"
      );
    }
  }
  /** The source's own read error: a failure of the disk or the archive, not of the network. */
  get sourceError() {
    return this.#sourceError && readError(this.#blob.descriptor.digest, this.#sourceError);
  }
  close() {
    this.#source?.destroy();
    this.#hashed?.destroy();
  }
  async #open(onBytes) {
    const source = await this.#blob.open();
    const hashed = new DigestingStream(onBytes);
    this.#source = source;
    this.#hashed = hashed;
    source.once("error", (err) => {
      this.#sourceError = err;
      hashed.destroy(err);
    });
    hashed.on("error", () => void 0);
    return source.pipe(hashed);
  }
  /** Reads and hashes the bytes the registry already holds, without sending them. */
  async #skip(bytes) {
    let left = bytes;
    while (left > 0) {
      const chunk = await this.#next();
      if (!chunk) throw readError(this.#blob.descriptor.digest, new Error("the blob ended early"));
      if (chunk.length > left) this.#leftover = chunk.subarray(left);
      left -= Math.min(left, chunk.length);
    }
  }
  async #next() {
    if (this.#leftover) {
      const chunk = this.#leftover;
      this.#leftover = void 0;
      return chunk;
    }
    const next = await this.#chunks.next();
    return next.done ? void 0 : next.value;
  }
};
function readError(digest, err) {
  const hint = err instanceof ImagePushError ? err.hint : void 0;
  return new SourceError(`reading blob ${digest} from the source: ${err.message}`, hint, { cause: err });
}

// src/registry/upload.ts
var MiB2 = 1024 * 1024;
var REDIRECTS = [307, 308];
var MAX_REDIRECTS2 = 5;
var MAX_REAUTHENTICATIONS = 3;
async function uploadBlob(client, repository, blob, options = {}) {
  const upload = new BlobUpload(client, repository, blob, options.onProgress ?? (() => void 0));
  const state = { session: void 0 };
  try {
    await uploadLoop(client, upload, blob, options.chunkSize, state);
  } catch (err) {
    if (state.session) await upload.cancel(state.session);
    throw err;
  }
}
async function uploadLoop(client, upload, blob, chunkOption, state) {
  const size = blob.descriptor.size;
  const budget = client.retryBudget(upload.what);
  let chunkSize = chunkOption ?? client.bodyLimit.chunkSize;
  let reauthentications = 0;
  let offsetAtLast401 = -1;
  let redirects = 0;
  for (; ; ) {
    try {
      state.session ??= await upload.open();
      const session = state.session;
      const attempt = new Attempt(blob, session.offset, (bytes) => {
        client.deadline.touch();
        upload.onProgress(bytes);
      });
      let step;
      try {
        if (session.offset === 0 && chunkSize === void 0) {
          step = await upload.putWhole(session, attempt);
        } else {
          step = await upload.sendChunks(session, attempt, chunkSize ?? size);
          if (step === "done") {
            await attempt.verify();
            step = await upload.commit(session);
          }
        }
      } finally {
        attempt.close();
      }
      if (step === "redirected") {
        if (++redirects > MAX_REDIRECTS2) {
          throw redirectLoopError(upload.what, client.registry, MAX_REDIRECTS2);
        }
        continue;
      }
      state.session = void 0;
      upload.onProgress(size);
      return;
    } catch (err) {
      if (!(err instanceof RegistryError) || err instanceof DeadlineError) throw err;
      let session = state.session;
      if (err.status === 413) {
        const tried = Math.min(chunkSize ?? size, size);
        chunkSize = client.bodyLimit.refused(tried, session?.minChunk ?? 0, err);
        client.log.warning(
          `${upload.what}: a body of ${tried} bytes was refused (413), going on in chunks of ${chunkSize} bytes`
        );
      } else if (err.status === 401 && !client.anonymous && reauthentications < MAX_REAUTHENTICATIONS) {
        const offset = session?.offset ?? 0;
        reauthentications = offset > offsetAtLast401 ? 1 : reauthentications + 1;
        offsetAtLast401 = offset;
      } else if (sessionLost(err)) {
        await budget.next(err, "the registry lost the upload session");
        session = void 0;
      } else if (chunkSize !== void 0 && chunksRefused(err)) {
        client.log.warning(
          `${upload.what}: the registry refuses chunked uploads (${err.status}), sending it whole`
        );
        if (session) await upload.cancel(session);
        chunkSize = void 0;
        state.session = void 0;
        continue;
      } else {
        await budget.next(err);
      }
      state.session = session && await upload.where(session);
      if (!state.session && await upload.present()) return;
    }
  }
}
var BlobUpload = class {
  what;
  onProgress;
  #client;
  #repository;
  #scopes;
  #digest;
  #size;
  constructor(client, repository, blob, onProgress) {
    this.#client = client;
    this.#repository = repository;
    this.#scopes = [pushScope(repository)];
    this.#digest = blob.descriptor.digest;
    this.#size = blob.descriptor.size;
    this.what = `uploading blob ${this.#digest} to ${repository}`;
    this.onProgress = onProgress;
  }
  /** `POST /blobs/uploads/`: a new session, with the chunk limits the registry announces. */
  async open() {
    const res = await this.#client.request(this.what, this.#scopes, {
      method: "POST",
      url: `/v2/${this.#repository}/blobs/uploads/`,
      headers: { "content-length": "0" },
      ok: [202]
    });
    await res.body.dump();
    const location = header(res.headers, "location");
    if (!location) {
      throw new RegistryError(
        `${this.what}: ${this.#client.registry} opened an upload without a Location`,
        void 0
      );
    }
    return {
      location: new URL(location, res.url),
      offset: 0,
      minChunk: Math.max(
        positiveHeader(res, "oci-chunk-min-length") ?? 0,
        knownMinimumChunk(this.#client.registry)
      ),
      maxChunk: positiveHeader(res, "oci-chunk-max-length") ?? Number.POSITIVE_INFINITY
    };
  }
  /** The whole blob in one PUT with `?digest=`: two requests in all, the fastest path when nothing is in the way. */
  async putWhole(session, attempt) {
    let res;
    try {
      res = await this.#client.request(this.what, this.#scopes, {
        method: "PUT",
        url: this.#withDigest(session.location).href,
        headers: { "content-type": "application/octet-stream", "content-length": String(this.#size) },
        body: () => attempt.whole(),
        // distribution answers 400 DIGEST_INVALID to a corrupt source: checked below, as the source's fault
        ok: [201, 400, ...REDIRECTS],
        once: true
      });
    } catch (err) {
      throw attempt.sourceError ?? err;
    }
    if (await this.#redirected(session, res)) return "redirected";
    const text = await errorText(res);
    await attempt.verify();
    if (res.status !== 201) {
      throw responseError(this.what, this.#client.registry, res.status, text, this.#client.anonymous);
    }
    this.#checkStoredDigest(res);
    return "done";
  }
  /** PATCHes the rest of the blob in chunks of `chunkSize`, moving the session along after each. */
  async sendChunks(session, attempt, chunkSize) {
    const chunk = Math.min(Math.max(chunkSize, session.minChunk), session.maxChunk);
    while (session.offset < this.#size) {
      const start = session.offset;
      const length = Math.min(chunk, this.#size - start);
      let res;
      try {
        res = await this.#client.request(this.what, this.#scopes, {
          method: "PATCH",
          url: session.location.href,
          headers: {
            "content-type": "application/octet-stream",
            "content-length": String(length),
            // Inclusive end and no unit: the distribution spec's form, not RFC 9110's `bytes a-b/n`.
            "content-range": `${start}-${start + length - 1}`
          },
          body: () => attempt.slice(length),
          ok: [201, 202, 204, ...REDIRECTS],
          once: true
        });
      } catch (err) {
        throw attempt.sourceError ?? err;
      }
      if (await this.#redirected(session, res)) return "redirected";
      await res.body.dump();
      advance(session, res, start + length);
    }
    return "done";
  }
  /** `PUT ?digest=` with no body: the registry checks the digest and makes the blob visible. */
  async commit(session) {
    const res = await this.#client.request(this.what, this.#scopes, {
      method: "PUT",
      url: this.#withDigest(session.location).href,
      headers: { "content-length": "0" },
      ok: [201, ...REDIRECTS],
      once: true
    });
    if (await this.#redirected(session, res)) return "redirected";
    await res.body.dump();
    this.#checkStoredDigest(res);
    return "done";
  }
  /**
   * Best effort, never failing: `DELETE` on an abandoned session, so the registry drops the bytes it holds
   * now rather than when the session expires. Short, and outside the push's deadline (which may be what
   * ended the upload).
   */
  async cancel(session) {
    try {
      const res = await this.#client.request(`cancelling the upload of ${this.#digest}`, this.#scopes, {
        method: "DELETE",
        url: session.location.href,
        ok: [200, 202, 204, 404],
        cleanup: true
      });
      await res.body.dump();
    } catch (err) {
      this.#client.log.debug(`cancelling an upload session: ${err.message}`);
    }
  }
  /**
   * A 307/308 on an upload request (a registry handing uploads to object storage): the session moves to the
   * new URL and the same bytes go there on the next attempt. The client sends no credentials to another
   * origin, so object storage never sees the registry's token, and never goes from HTTPS to plain HTTP.
   */
  async #redirected(session, res) {
    if (!REDIRECTS.includes(res.status)) return false;
    await res.body.dump();
    const location = header(res.headers, "location");
    if (!location) {
      throw new RegistryError(
        `${this.what}: ${this.#client.registry} redirected without a Location`,
        void 0
      );
    }
    const next = new URL(location, res.url);
    this.#client.origins.checkMove(this.what, new URL(res.url), next);
    session.location = next;
    return true;
  }
  /**
   * Asks the registry where an interrupted upload stands (`GET` on the session: 204 with `Range: 0-N`).
   * Undefined when it no longer knows the session, so the next try opens a new one.
   */
  async where(session) {
    let res;
    try {
      res = await this.#client.request(this.what, this.#scopes, {
        method: "GET",
        url: session.location.href,
        ok: [204]
      });
    } catch (err) {
      if (err instanceof RegistryError && err.status !== void 0 && err.status < 500) return void 0;
      throw err;
    }
    await res.body.dump();
    const held = rangeEnd(header(res.headers, "range"));
    if (held === void 0) return void 0;
    advance(session, res, held);
    if (session.offset > 0) this.#client.log.info(`${this.what}: resuming at byte ${session.offset}`);
    return session;
  }
  /** Whether the repository holds the finished blob (an earlier attempt may have landed). */
  async present() {
    return await blobSize(this.#client, this.#repository, this.#digest) === this.#size;
  }
  #withDigest(location) {
    const target = new URL(location.href);
    target.searchParams.set("digest", this.#digest);
    return target;
  }
  #checkStoredDigest(res) {
    const stored = header(res.headers, "docker-content-digest");
    if (stored !== void 0 && stored !== this.#digest) {
      throw new RegistryError(
        `${this.what}: ${this.#client.registry} stored it as ${stored}`,
        "the registry or a proxy altered the bytes"
      );
    }
  }
};
function advance(session, res, expected) {
  const location = header(res.headers, "location");
  if (location) session.location = new URL(location, res.url);
  session.offset = rangeEnd(header(res.headers, "range")) ?? expected;
}
function rangeEnd(range) {
  const match = /^(?:bytes=)?0-(\d+)$/.exec(range?.trim() ?? "");
  if (!match) return void 0;
  const end = Number(match[1]);
  return end === 0 ? 0 : end + 1;
}
var ECR_HOST = /\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?(:\d+)?$/;
function knownMinimumChunk(registry) {
  return ECR_HOST.test(registry) ? 5 * MiB2 : 0;
}
function positiveHeader(res, name) {
  const value = Number(header(res.headers, name));
  return Number.isSafeInteger(value) && value > 0 ? value : void 0;
}
function sessionLost(err) {
  return err.status === 416 || err.status === 404 && (err.codes.includes("BLOB_UPLOAD_UNKNOWN") || err.codes.includes("BLOB_UPLOAD_INVALID"));
}
function chunksRefused(err) {
  return err.status === 405 || err.status === 501 || err.codes.includes("UNSUPPORTED");
}

// src/engine/progress.ts
var realTimers = {
  // unref: a progress line is never a reason to keep the process alive.
  setInterval: (tick, ms) => setInterval(tick, ms).unref(),
  clearInterval: (handle) => clearInterval(handle)
};
var ProgressReporter = class {
  #logger;
  #intervalMs;
  #now;
  #timers;
  #total;
  /** Bytes of attempts that succeeded or are still running: sent, each byte once. */
  #done = 0;
  /**
   * Bytes of attempts the registry answered. Sent bytes may still sit in socket buffers and proxies (through a
   * slow proxy, "100%" showed ~2 s before the registry had the blob), so only these count as confirmed.
   */
  #confirmed = 0;
  /** Every byte put on the wire, failed attempts included: what the rate measures. */
  #sent = 0;
  #resent = 0;
  #failedAttempts = 0;
  #inFlight = 0;
  #timer;
  #startedAt;
  #endedAt;
  #lastLine;
  constructor(options) {
    this.#total = Math.max(0, options.totalBytes);
    this.#logger = options.logger;
    this.#intervalMs = (options.intervalSeconds ?? 5) * 1e3;
    this.#now = options.now ?? (() => performance.now());
    this.#timers = options.timers ?? realTimers;
  }
  get bytesDone() {
    return this.#done;
  }
  get totalBytes() {
    return this.#total;
  }
  get inFlight() {
    return this.#inFlight;
  }
  /** For blobs whose size is known only once prepared (a layer compressed during the push). */
  addTotal(bytes) {
    this.#total += Math.max(0, bytes);
  }
  begin() {
    const now = this.#now();
    this.#startedAt ??= now;
    if (this.#inFlight++ === 0) {
      this.#lastLine = { at: now, sent: this.#sent };
      this.#timer = this.#timers.setInterval(() => this.#tick(), this.#intervalMs);
    }
    let bytes = 0;
    let open = true;
    const end = () => {
      open = false;
      this.#endedAt = this.#now();
      if (--this.#inFlight === 0) this.#stopTimer();
    };
    return {
      add: (n) => {
        if (!open || n <= 0) return;
        bytes += n;
        this.#done += n;
        this.#sent += n;
      },
      fail: () => {
        if (!open) return;
        this.#done -= bytes;
        this.#resent += bytes;
        this.#failedAttempts++;
        end();
      },
      done: () => {
        if (!open) return;
        this.#confirmed += bytes;
        end();
      }
    };
  }
  get bytesConfirmed() {
    return this.#confirmed;
  }
  /**
   * The line printed every interval, e.g. `uploading: 12.3 MB of 45.6 MB sent (27%), 8.0 MB confirmed by the
   * registry, 4.1 MB/s, 2 in flight`: what left this machine, and what the registry has acknowledged.
   */
  line() {
    const now = this.#now();
    const last = this.#lastLine ?? { at: now, sent: this.#sent };
    const seconds = (now - last.at) / 1e3;
    const parts = [
      `uploading: ${formatBytes(this.#done)} of ${formatBytes(this.#total)} sent (${percent(this.#done, this.#total)})`,
      `${formatBytes(this.#confirmed)} confirmed by the registry`
    ];
    if (seconds > 0) parts.push(formatRate(this.#sent - last.sent, seconds));
    parts.push(`${this.#inFlight} in flight`);
    return parts.join(", ");
  }
  /** One line for the end: what went up, how long it took, and what had to be sent again. */
  summary() {
    const seconds = this.#startedAt === void 0 ? 0 : ((this.#endedAt ?? this.#now()) - this.#startedAt) / 1e3;
    return formatTransferSummary({
      bytes: this.#done,
      seconds,
      failedAttempts: this.#failedAttempts,
      resentBytes: this.#resent
    });
  }
  /** Stops the timer (also when uploads were abandoned mid-way). */
  stop() {
    this.#stopTimer();
  }
  #tick() {
    if (this.#inFlight === 0) return;
    this.#logger.info(this.line());
    this.#lastLine = { at: this.#now(), sent: this.#sent };
  }
  #stopTimer() {
    if (this.#timer === void 0) return;
    this.#timers.clearInterval(this.#timer);
    this.#timer = void 0;
  }
};
function formatTransferSummary(totals) {
  let line = `uploaded ${formatBytes(totals.bytes)} in ${formatSeconds(totals.seconds)}`;
  if (totals.seconds > 0) line += ` (${formatRate(totals.bytes, totals.seconds)})`;
  const failed = totals.failedAttempts ?? 0;
  if (failed > 0) {
    line += `; ${failed} failed attempt${failed === 1 ? "" : "s"}, ${formatBytes(totals.resentBytes ?? 0)} sent again`;
  }
  return line;
}
function percent(done, total) {
  if (total <= 0) return "?%";
  return `${Math.min(100, Math.floor(done * 100 / total))}%`;
}

// src/engine/tag-read-back.ts
var import_promises2 = __toESM(require_promises2(), 1);
var READ_BACK_AGAIN_MS = 500;
async function putTagAndReadBack(target, tag, descriptor, bytes, check) {
  await putTag(target.client, target.repository, tag, descriptor, bytes);
  let held = await tagDigest(target.client, target.repository, tag);
  if (!check.overwrite && (held === void 0 || held === descriptor.digest)) {
    await (0, import_promises2.setTimeout)(READ_BACK_AGAIN_MS);
    held = await tagDigest(target.client, target.repository, tag);
  }
  if (held === void 0 || held === descriptor.digest) return true;
  const where = `${target.registry}/${target.repository}:${tag}`;
  if (!check.overwrite) {
    throw new RegistryError(
      `another push moved the tag: ${where} holds ${held} right after this push put ${descriptor.digest} there, and overwrite is false`,
      "two pushes raced for the tag; the pushed image is still there by digest. Push under a tag of its own (e.g. the commit SHA), or serialise the jobs (a concurrency group)"
    );
  }
  check.log.warning(
    `another push moved ${where} to ${held} right after this push put ${descriptor.digest} there: the tag holds the other image (two pushes raced for it)`
  );
  return false;
}

// src/engine/writer.ts
var Writer = class {
  #lostTags = /* @__PURE__ */ new Set();
  #options;
  #reports = /* @__PURE__ */ new Map();
  /** registry@digest -> the repository that holds the blob once the first write there is done. */
  #holders = /* @__PURE__ */ new Map();
  #settled = /* @__PURE__ */ new Map();
  #progress;
  #failure;
  constructor(options) {
    this.#options = options;
    this.#progress = new ProgressReporter({ totalBytes: 0, logger: options.logger });
  }
  /**
   * Makes sure `target` holds `blob`, once per repository and digest however often it is asked: HEAD, a
   * mount from the registry's first copy or a hint, else an upload. The hints of the first call win.
   */
  ensureBlob(target, blob, hints = {}) {
    const key = `${target.registry}/${target.repository}@${blob.descriptor.digest}`;
    let report2 = this.#reports.get(key);
    if (!report2) {
      report2 = this.#write(target, blob, hints).then(
        (done) => {
          this.#settled.set(key, done);
          return done;
        },
        (err) => {
          this.#failure ??= { error: err };
          throw err;
        }
      );
      report2.catch(() => void 0);
      this.#reports.set(key, report2);
    }
    return report2;
  }
  /**
   * Records a blob the caller found present with its own HEAD (or mounted: a layer the registry pairs),
   * never written. A later ensureBlob for it returns this record.
   */
  markPresent(target, descriptor, how) {
    const key = `${target.registry}/${target.repository}@${descriptor.digest}`;
    if (this.#reports.has(key)) return;
    const { fromBlobMap, action = "skipped" } = how;
    const done = report(target, descriptor, action, { compressed: false, fromBlobMap, seconds: 0 });
    this.#settled.set(key, done);
    this.#reports.set(key, Promise.resolve(done));
    this.#noteHolder(target, descriptor.digest);
  }
  /** Every write of the list, largest blob first (the critical path never waits behind small ones). */
  async ensureAll(writes) {
    const bySize = [...writes].sort((a, b) => b.blob.descriptor.size - a.blob.descriptor.size);
    return this.settle(bySize.map((w) => this.ensureBlob(w.target, w.blob, w.hints)));
  }
  /**
   * Puts the manifests up once every blob write is done: `children` (children first, as postOrder gives
   * them) by digest in every repository `references` names, a manifest only after the ones it names, then
   * `root` under each repository's references. No tag moves unless everything it needs is in place.
   */
  async commit(children, root, references) {
    await this.settle([...this.#reports.values()]);
    const targets = references.filter((r) => !r.holdsRoot).map((r) => r.target);
    const { limit, logger } = this.#options;
    for (const wave of waves(children)) {
      await this.settle(
        wave.flatMap(
          (node) => targets.map(
            (t) => (
              // One the repository holds already (a rollback, a promotion) costs a HEAD, not a PUT.
              limit(async () => {
                if (await manifestExists(t.client, t.repository, node.descriptor)) return;
                await putManifest(t.client, t.repository, node.descriptor.digest, node.descriptor, node.bytes);
              })
            )
          )
        )
      );
    }
    const check = { overwrite: this.#options.overwrite !== false, log: logger };
    for (const { target, references: refs } of references) {
      const held = await this.settle(
        refs.map(
          (reference) => limit(async () => {
            if (!reference.startsWith("sha256:"))
              return putTagAndReadBack(target, reference, root.descriptor, root.bytes, check);
            await putManifest(target.client, target.repository, reference, root.descriptor, root.bytes);
            return true;
          })
        )
      );
      for (const [i, reference] of refs.entries()) {
        if (!held[i]) {
          this.#lostTags.add(`${target.registry}/${target.repository}:${reference}`);
          continue;
        }
        const sep2 = reference.startsWith("sha256:") ? "@" : ":";
        logger.info(`pushed ${target.registry}/${target.repository}${sep2}${reference}`);
      }
    }
  }
  /**
   * The failure policy, for every group of writes: waits for all of them, then throws the first failure in
   * the given order (the same inputs always report the same error), or the writer's first failure.
   */
  async settle(tasks) {
    const settled = await Promise.allSettled(tasks);
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
    if (this.#failure) throw this.#failure.error;
    return settled.map((s) => s.value);
  }
  /** Whether another push moved this tag right after this one's PUT (see putTag): then it is not reported. */
  lostTag(target, tag) {
    return this.#lostTags.has(`${target.registry}/${target.repository}:${tag}`);
  }
  /** Waits for every blob write started so far, failed or not: before the connections close. */
  async drain() {
    await Promise.allSettled(this.#reports.values());
    this.#progress.stop();
  }
  /** Every blob write that finished, in the order they were first asked for. */
  get reports() {
    return [...this.#reports.keys()].flatMap((key) => this.#settled.get(key) ?? []);
  }
  /** The counts of what happened: the one place outputs, summary and log lines take them from. */
  get tally() {
    return tallyBlobs(this.reports);
  }
  /** One line for the log: what the blobs cost. */
  describe(digest, repositories) {
    const { uploaded, mounted, skipped } = this.tally;
    return `${digest}: ${uploaded.count} blobs uploaded (${formatBytes(uploaded.bytes)}), ${mounted.count} mounted, ${skipped.count} already present (${formatBytes(skipped.bytes)}), ${repositories} ${repositories === 1 ? "repository" : "repositories"}`;
  }
  #throwIfFailed() {
    if (this.#failure) throw this.#failure.error;
  }
  #noteHolder(target, digest) {
    const key = `${target.registry}@${digest}`;
    if (!this.#holders.has(key)) this.#holders.set(key, Promise.resolve(target.repository));
  }
  async #write(target, blob, hints) {
    const { limit, logger, blobMap } = this.#options;
    const { digest } = blob.descriptor;
    const compressed = hints.compressed ?? false;
    const done = (action, seconds = 0) => {
      blobMap?.recordLocation(digest, target.registry, target.repository);
      return report(target, blob.descriptor, action, { compressed, fromBlobMap: false, seconds });
    };
    this.#throwIfFailed();
    const max = this.#options.maxMountSources ?? 3;
    const tried = /* @__PURE__ */ new Set();
    if (hints.mountFirst && hints.copyFrom === void 0) {
      for (const from of (hints.mountFrom ?? []).filter((r) => r !== target.repository).slice(0, max)) {
        tried.add(from);
        this.#throwIfFailed();
        if (await limit(() => mountBlob(target.client, target.repository, blob.descriptor, from))) {
          logger.info(`mounted ${digest} from ${from} into ${target.repository}`);
          this.#noteHolder(target, digest);
          return done("mounted");
        }
      }
    }
    if (await limit(() => blobExists(target.client, target.repository, blob.descriptor))) {
      this.#noteHolder(target, digest);
      return done("skipped");
    }
    const holderKey = `${target.registry}@${digest}`;
    const holder = this.#holders.get(holderKey);
    let claim;
    const { copyFrom } = hints;
    const local = copyFrom?.registry === target.registry ? copyFrom.repository : void 0;
    if (local === target.repository) throw this.#missing(target, blob, hints);
    const candidates = [...local === void 0 ? [] : [local], ...hints.mountFrom ?? []];
    if (holder && local === void 0) {
      candidates.unshift(await holder);
    } else if (local === void 0) {
      const { promise, resolve } = Promise.withResolvers();
      this.#holders.set(holderKey, promise);
      claim = (repository) => resolve(repository ?? "");
    }
    try {
      const sources = [...new Set(candidates)].filter(
        (r) => r !== "" && r !== target.repository && !tried.has(r)
      );
      for (const from of sources.slice(0, holder ? max + 1 : max)) {
        this.#throwIfFailed();
        if (await limit(() => mountBlob(target.client, target.repository, blob.descriptor, from))) {
          logger.info(`mounted ${digest} from ${from} into ${target.repository}`);
          claim?.(target.repository);
          return done("mounted");
        }
        logger.debug(`${target.registry} declined to mount ${digest} from ${from} into ${target.repository}`);
      }
      if (!blob.available) throw this.#missing(target, blob, hints);
      const seconds = await limit(() => this.#upload(target, blob));
      logger.info(
        `${copyFrom ? "copied" : "uploaded"} ${digest} (${formatBytes(blob.descriptor.size)})${copyFrom ? ` from ${copyFrom.registry}/${copyFrom.repository}` : ""} to ${target.repository} in ${seconds.toFixed(1)}s`
      );
      claim?.(target.repository);
      return done("uploaded", seconds);
    } finally {
      claim?.(void 0);
    }
  }
  #missing(target, blob, hints) {
    return hints.missing?.() ?? new SourceError(
      `${this.#options.sourceName ?? "the source"}: blob ${blob.descriptor.digest} is missing from the source and from ${target.registry}/${target.repository}`,
      "the source is incomplete; export the whole image again"
    );
  }
  /** One upload, with progress; returns its seconds. */
  async #upload(target, blob) {
    this.#throwIfFailed();
    const started = performance.now();
    this.#progress.addTotal(blob.descriptor.size);
    const attempt = this.#progress.begin();
    let sent = 0;
    try {
      await uploadBlob(target.client, target.repository, blob, {
        chunkSize: this.#options.chunkSize,
        onProgress: (bytes) => {
          if (bytes > sent) attempt.add(bytes - sent);
          sent = Math.max(sent, bytes);
        }
      });
      attempt.done();
    } catch (err) {
      attempt.fail();
      const name = this.#options.sourceName;
      if (name !== void 0 && err instanceof SourceError && !err.message.startsWith(name)) {
        throw new SourceError(`${name}: ${err.message}`, err.hint, { cause: err });
      }
      throw err;
    }
    return (performance.now() - started) / 1e3;
  }
};
function report(target, descriptor, action, details) {
  const { digest, mediaType, size } = descriptor;
  return {
    repository: `${target.registry}/${target.repository}`,
    digest,
    mediaType,
    size,
    action,
    ...details
  };
}

// src/version.ts
var VERSION = "0.1.0";

// src/registry/credentials/login-files.ts
var import_promises4 = __toESM(require_promises(), 1);
var import_node_os2 = __toESM(require_node_os(), 1);
var import_node_path2 = __toESM(require_node_path(), 1);

// src/registry/credentials/docker-config.ts
var import_node_fs = __toESM(require_node_fs(), 1);
var import_promises3 = __toESM(require_promises(), 1);
var import_node_os = __toESM(require_node_os(), 1);
var import_node_path = __toESM(require_node_path(), 1);

// src/run-bounded.ts
var RunCutError = class extends Error {
  reason;
  constructor(reason, message) {
    super(message);
    this.name = "RunCutError";
    this.reason = reason;
  }
};
function runBounded(path, args, options) {
  return new Promise((resolve, reject) => {
    const { spawn } = process.getBuiltinModule("node:child_process");
    const child = spawn(path, args, { env: options.env, stdio: "pipe", detached: true });
    const out = [];
    const err = [];
    let bytes = 0;
    let settled = false;
    const finish = (fn) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const kill = () => {
      try {
        if (child.pid !== void 0) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
      child.stdout.destroy();
      child.stderr.destroy();
      child.stdin.destroy();
    };
    const cut = (reason, message) => {
      kill();
      finish(() => reject(new RunCutError(reason, message)));
    };
    const timer = setTimeout(
      () => cut("timeout", `it did not finish within ${options.timeoutMs / 1e3} s`),
      options.timeoutMs
    );
    const collect = (into) => (chunk) => {
      if (settled) return;
      bytes += chunk.length;
      if (bytes > options.maxOutputBytes) {
        cut("output", `it printed more than ${options.maxOutputBytes} bytes`);
        return;
      }
      into.push(chunk);
    };
    child.stdout.on("data", collect(out));
    child.stderr.on("data", collect(err));
    child.once("error", (error) => finish(() => reject(error)));
    child.once("exit", (code, signal) => {
      const done = () => finish(
        () => resolve({
          exitCode: code,
          signal,
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(err).toString("utf8")
        })
      );
      let open = 2;
      const closed = () => {
        if (--open === 0) done();
      };
      for (const stream of [child.stdout, child.stderr]) {
        if (stream.readableEnded || stream.destroyed) closed();
        else stream.once("close", closed);
      }
    });
    child.stdin.on("error", () => void 0);
    child.stdin.end(options.input ?? "");
  });
}

// src/registry/credentials/docker-config.ts
var DOCKER_HUB_SERVER = "https://index.docker.io/v1/";
var TOKEN_USERNAME = "<token>";
var NOT_FOUND = /credentials not found in native keychain/i;
var HELPER_PREFIX = "docker-credential-";
var HELPER_TIMEOUT_MS = 3e4;
var HELPER_OUTPUT_BYTES = 1 << 20;
async function credentialsInFile(file, registry, repository, options = {}) {
  const env = options.env ?? process.env;
  const onSecret = options.onSecret ?? (() => void 0);
  const config = await readConfig(file, options.implicit ?? false);
  if (!config) return void 0;
  const host = normaliseHost(registry);
  const helperKey = findKey(Object.keys(config.credHelpers), host);
  const helper = helperKey === void 0 ? config.credsStore : config.credHelpers[helperKey];
  if (helper) {
    const where = `${helperKey === void 0 ? "credsStore" : `credHelpers["${helperKey}"]`} in ${file}`;
    const serverUrl = isDockerHub(host) ? DOCKER_HUB_SERVER : host;
    const credentials = await runHelper(helper, serverUrl, {
      env,
      onSecret,
      where,
      timeoutMs: options.helperTimeoutMs ?? HELPER_TIMEOUT_MS
    });
    return credentials && { credentials, where };
  }
  return fromAuths(config.auths, host, repository, file, onSecret);
}
function dockerConfigPath(env) {
  return (0, import_node_path.join)(dockerConfigDir(env), "config.json");
}
function dockerConfigDir(env) {
  return env.DOCKER_CONFIG || (0, import_node_path.join)(env.HOME || (0, import_node_os.homedir)(), ".docker");
}
function describeFile(file) {
  return `${(0, import_node_path.basename)(file) === "auth.json" ? "the containers auth file" : "the Docker config"} ${file}`;
}
async function readConfig(file, implicit) {
  let text;
  try {
    text = await (0, import_promises3.readFile)(file, "utf8");
  } catch (err) {
    const code = err.code;
    if (code === "ENOENT" || code === "ENOTDIR") return void 0;
    if (implicit && (code === "EACCES" || code === "EPERM")) return void 0;
    throw new InputError(
      `cannot read ${describeFile(file)}: ${code ?? String(err)}`,
      (0, import_node_path.basename)(file) === "auth.json" ? "make it readable, or point REGISTRY_AUTH_FILE at another file" : "make it readable, or point DOCKER_CONFIG at another directory"
    );
  }
  if (text.trim() === "") return void 0;
  const broken = (what) => new InputError(`${describeFile(file)} is not valid: ${what}`, "fix or delete it, then log in again");
  let raw;
  try {
    raw = JSON.parse(text);
  } catch {
    throw broken("it is not JSON");
  }
  if (!isObject(raw)) throw broken("it is not a JSON object");
  const auths = raw.auths ?? {};
  if (!isObject(auths)) throw broken('"auths" is not an object');
  for (const [key, entry] of Object.entries(auths)) {
    if (!isObject(entry)) throw broken(`auths["${key}"] is not an object`);
  }
  const credHelpers = raw.credHelpers ?? {};
  if (!isObject(credHelpers) || !Object.values(credHelpers).every((v) => typeof v === "string")) {
    throw broken('"credHelpers" is not an object of helper names');
  }
  const credsStore = raw.credsStore ?? void 0;
  if (credsStore !== void 0 && typeof credsStore !== "string")
    throw broken('"credsStore" is not a string');
  return {
    auths,
    credHelpers,
    credsStore
  };
}
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function isDockerHub(host) {
  return registryApiHost(host) === registryApiHost(DOCKER_HUB);
}
function normaliseHost(key) {
  const host = (key.trim().replace(/^https?:\/\//i, "").split("/")[0] ?? "").toLowerCase();
  return isDockerHub(host) ? DOCKER_HUB : host;
}
function keyNamespace(key) {
  const trimmed = key.trim();
  if (/^https?:\/\//i.test(trimmed)) return void 0;
  const slash = trimmed.indexOf("/");
  const namespace = slash < 0 ? "" : trimmed.slice(slash + 1).replace(/\/+$/, "");
  return namespace === "" ? void 0 : namespace;
}
function matchingKeys(keys, host) {
  const exact = isDockerHub(host) ? DOCKER_HUB_SERVER : host;
  const matches = keys.filter((key) => keyNamespace(key) === void 0 && normaliseHost(key) === host);
  return [...matches.filter((key) => key === exact), ...matches.filter((key) => key !== exact)];
}
function namespaceKeys(keys, host, repository) {
  if (repository === void 0) return [];
  const matches = keys.flatMap((key) => {
    const namespace = keyNamespace(key);
    if (namespace === void 0 || normaliseHost(key) !== host) return [];
    const holds = repository === namespace || repository.startsWith(`${namespace}/`);
    return holds ? [{ key, length: namespace.length }] : [];
  });
  return matches.sort((a, b) => b.length - a.length).map((m) => m.key);
}
function findKey(keys, host) {
  return matchingKeys(keys, host)[0];
}
function fromAuths(auths, host, repository, file, onSecret) {
  const keys = Object.keys(auths);
  for (const key of [...namespaceKeys(keys, host, repository), ...matchingKeys(keys, host)]) {
    const where = `auths["${key}"] in ${file}`;
    const credentials = fromAuthEntry(auths[key] ?? {}, where, onSecret);
    if (credentials) return { credentials, where };
  }
  return void 0;
}
function fromAuthEntry(entry, where, onSecret) {
  const text = (value, field) => {
    if (value === void 0 || value === null) return "";
    if (typeof value !== "string") {
      throw new InputError(`${field} of ${where} is not a string`, "fix it, or log in again");
    }
    return value;
  };
  let username = text(entry.username, '"username"');
  let password = text(entry.password, '"password"');
  const auth = text(entry.auth, '"auth"');
  const identityToken = text(entry.identitytoken, '"identitytoken"');
  for (const secret of [auth, password, identityToken]) if (secret) onSecret(secret);
  if (auth) {
    const decoded = Buffer.from(auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon === -1) {
      throw new InputError(
        `"auth" of ${where} is not base64 of "username:password"`,
        "log in again with docker/login-action"
      );
    }
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1).replace(/\0+$/, "");
    if (password) onSecret(password);
  }
  if (identityToken) return { username: username || TOKEN_USERNAME, password, identityToken };
  if (!username && !password) return void 0;
  return { username, password };
}
async function runHelper(name, serverUrl, context) {
  const command = `${HELPER_PREFIX}${name}`;
  const check = `check it with: ${command} get <<< ${serverUrl}`;
  const path = await findOnPath(command, context.env.PATH);
  if (!path) {
    throw new InputError(
      `the Docker credential helper ${command} (${context.where}) is not on PATH`,
      `install it, or remove "${name}" from that file and log in again with docker/login-action`
    );
  }
  let output;
  try {
    output = await runBounded(path, ["get"], {
      env: definedOnly(context.env),
      input: serverUrl,
      timeoutMs: context.timeoutMs,
      maxOutputBytes: HELPER_OUTPUT_BYTES
    });
  } catch (err) {
    if (err instanceof RunCutError) {
      throw new InputError(
        `the Docker credential helper ${command} (${context.where}) was stopped for ${serverUrl}: ${err.message}${err.reason === "output" ? " (credentials are a few KB)" : ""}`,
        `${check}; fix or remove it, or give the credentials as inputs instead`
      );
    }
    throw new InputError(
      `the Docker credential helper ${command} (${context.where}) could not run: ${err.message}`,
      check
    );
  }
  if (output.exitCode !== 0) {
    if (output.exitCode === null) {
      throw new InputError(
        `${command} get was killed by ${output.signal ?? "a signal"} for ${serverUrl}`,
        check
      );
    }
    if (NOT_FOUND.test(output.stdout) || NOT_FOUND.test(output.stderr)) return void 0;
    const reason = firstLine(output.stdout) || firstLine(output.stderr) || `exit code ${output.exitCode}`;
    throw new InputError(`${command} get failed for ${serverUrl}: ${reason}`, check);
  }
  let answer;
  try {
    answer = JSON.parse(output.stdout);
  } catch {
    answer = void 0;
  }
  if (!isObject(answer) || typeof answer.Username !== "string" || typeof answer.Secret !== "string") {
    throw new InputError(
      `${command} get printed no credentials JSON ({"Username": ..., "Secret": ...}) for ${serverUrl}`,
      check
    );
  }
  const { Username: username, Secret: secret } = answer;
  if (secret) context.onSecret(secret);
  if (!username && !secret) return void 0;
  if (username === TOKEN_USERNAME) return { username, password: "", identityToken: secret };
  return { username, password: secret };
}
async function findOnPath(command, pathVariable) {
  if (command.includes("/") || command.includes("\\")) return void 0;
  const names = process.platform === "win32" ? [`${command}.exe`, command] : [command];
  for (const dir of (pathVariable ?? "").split(import_node_path.delimiter).filter(import_node_path.isAbsolute)) {
    for (const name of names) {
      const candidate = (0, import_node_path.join)(dir, name);
      try {
        await (0, import_promises3.access)(candidate, import_node_fs.constants.X_OK);
        if ((await (0, import_promises3.stat)(candidate)).isFile()) return candidate;
      } catch {
      }
    }
  }
  return void 0;
}
function definedOnly(env) {
  const result = {};
  for (const [key, value] of Object.entries(env)) if (value !== void 0) result[key] = value;
  return result;
}
function firstLine(text) {
  return (text.trim().split("\n")[0] ?? "").trim().slice(0, 200);
}

// src/registry/credentials/login-files.ts
var MAX_DEPTH = 8;
var MAX_ENTRIES = 2e3;
async function findLoginCredentials(registry, repositories, options = {}) {
  const access2 = repositories.length > 0 ? repositories : [{ repository: void 0, push: false }];
  const found = [];
  for (const { repository, push } of access2) {
    found.push({ repository, push, result: await findFor(registry, repository, push, options) });
  }
  const decisive = found.filter((f) => f.result !== void 0 || f.push);
  const first = decisive[0];
  if (!first) return void 0;
  const other = decisive.find((f) => f.result?.where !== first.result?.where);
  if (other) {
    const describe = (f) => `${registry}/${f.repository ?? ""} (${f.result ? f.result.where : "no credentials"})`;
    throw new InputError(
      `${describe(first)} and ${describe(other)} would need different credentials, but one push uses one login per registry`,
      `push them in separate steps, or log in to ${registry} itself rather than to one repository`
    );
  }
  return first.result;
}
async function findFor(registry, repository, push, options) {
  const env = options.env ?? process.env;
  for (const file of await buildxScopedConfigs(registry, repository, push, env)) {
    const found = await credentialsInFile(file, registry, void 0, options);
    if (found) return { ...found, where: `${found.where} (docker/login-action scope)` };
  }
  const primary = containersAuthFiles(env)[0];
  for (const file of [...containersAuthFiles(env), dockerConfigPath(env)]) {
    const implicit = file !== dockerConfigPath(env) && !(file === primary && env.REGISTRY_AUTH_FILE);
    const found = await credentialsInFile(file, registry, repository, { ...options, implicit });
    if (found) return found;
  }
  return void 0;
}
function searchedLocations(env = process.env) {
  return [(0, import_node_path2.join)(buildxConfigDir(env), "config"), ...containersAuthFiles(env), dockerConfigPath(env)];
}
function containersAuthFiles(env) {
  const home = env.HOME || (0, import_node_os2.homedir)();
  const uid = process.getuid?.() ?? 0;
  const primary = env.REGISTRY_AUTH_FILE || (env.XDG_RUNTIME_DIR ? (0, import_node_path2.join)(env.XDG_RUNTIME_DIR, "containers", "auth.json") : `/run/containers/${uid}/auth.json`);
  const config = (0, import_node_path2.join)(env.XDG_CONFIG_HOME || (0, import_node_path2.join)(home, ".config"), "containers", "auth.json");
  return [.../* @__PURE__ */ new Set([primary, config])];
}
function buildxConfigDir(env) {
  return env.BUILDX_CONFIG || (0, import_node_path2.join)(dockerConfigDir(env), "buildx");
}
async function buildxScopedConfigs(registry, repository, push, env) {
  const base = (0, import_node_path2.join)(buildxConfigDir(env), "config");
  const host = normaliseHost(registry);
  const wanted = new Set(push ? ["pull", "push"] : ["pull"]);
  const configs = (await findConfigFiles(base)).map((file) => parseScopedDir(base, file));
  return configs.filter(
    (c) => normaliseHost(c.host) === host && (c.repository === "" || c.repository === repository) && c.actions.every((a) => wanted.has(a))
  ).sort((a, b) => b.repository.length - a.repository.length || b.actions.length - a.actions.length).map((c) => c.file);
}
function parseScopedDir(base, file) {
  const key = (0, import_node_path2.relative)(base, (0, import_node_path2.dirname)(file)).split(import_node_path2.sep).join("/");
  const at = key.indexOf("@");
  const main = at < 0 ? key : key.slice(0, at);
  const actions = at < 0 ? [] : key.slice(at + 1).split(",").map((a) => a.trim()).filter(Boolean);
  const slash = main.indexOf("/");
  return {
    file,
    host: slash < 0 ? main : main.slice(0, slash),
    repository: slash < 0 ? "" : main.slice(slash + 1),
    actions
  };
}
async function findConfigFiles(base) {
  const files = [];
  let seen = 0;
  const walk = async (dir, depth) => {
    if (depth > MAX_DEPTH) return;
    let entries;
    try {
      entries = await (0, import_promises4.readdir)(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (++seen > MAX_ENTRIES) return;
      const path = (0, import_node_path2.join)(dir, entry.name);
      if (entry.isDirectory()) await walk(path, depth + 1);
      else if (entry.name === "config.json" && dir !== base) files.push(path);
    }
  };
  await walk(base, 0);
  return files.sort();
}

// src/registry/connect.ts
function connect(options, explicit, destinations = []) {
  const transport = new Transport({
    ca: options.ca,
    ...options.timeouts?.connectMs !== void 0 ? { connectTimeoutMs: options.timeouts.connectMs } : {},
    ...options.lookup ? { lookup: options.lookup } : {}
  });
  const deadline = new Deadline((options.retryPolicy ?? DEFAULT_RETRY_POLICY).maxElapsedMs);
  const clients = /* @__PURE__ */ new Map();
  const onSecret = maskOnce(options.onSecret);
  const createClient = async (registry, given, repository) => {
    let credentials = given;
    if (!credentials && options.dockerConfig !== false) {
      const access2 = destinations.filter((t) => t.registry === registry).map((t) => ({ repository: t.repository, push: true }));
      if (access2.length === 0 && repository !== void 0) access2.push({ repository, push: false });
      const found = await findLoginCredentials(registry, access2, {
        ...options.dockerConfigEnv ? { env: options.dockerConfigEnv } : {},
        onSecret
      });
      options.logger.debug(
        `credentials for ${registry} looked up in ${searchedLocations(options.dockerConfigEnv).join(", ")}`
      );
      if (found) options.logger.info(`credentials for ${registry}: ${found.where}`);
      else options.logger.debug(`no credentials for ${registry} there: anonymous access`);
      credentials = found?.credentials;
    }
    return new RegistryClient(registry, {
      credentials,
      insecureRegistries: options.insecureRegistries ?? [],
      transport,
      onSecret,
      userAgent: `image-push/${VERSION}`,
      log: options.logger,
      retryPolicy: options.retryPolicy,
      deadline,
      timeouts: options.timeouts
    });
  };
  const clientFor = (registry, repository) => {
    let client = clients.get(registry);
    if (!client) {
      client = createClient(registry, explicit(registry), repository);
      clients.set(registry, client);
    }
    return client;
  };
  let sourceClient;
  const sourceClientFor = (registry, repository) => {
    const given = options.sourceCredentials;
    if (!given || sourceClient && sourceClient.registry !== registry)
      return clientFor(registry, repository);
    sourceClient ??= { registry, client: createClient(registry, given, repository) };
    return sourceClient.client;
  };
  return {
    clientFor,
    sourceClientFor,
    close: () => {
      deadline.close();
      return transport.close();
    }
  };
}
function maskOnce(onSecret) {
  const seen = /* @__PURE__ */ new Set();
  return (value) => {
    if (!onSecret || seen.has(value)) return;
    seen.add(value);
    onSecret(value);
  };
}

// src/engine/session.ts
async function openSession(options) {
  checkConcurrency(options.concurrency);
  keepYoungGenerationSmall();
  const parsed = parseTargets(options.destinations, options.registry);
  const connections = connect(options, credentialScope(parsed, options), parsed);
  const targets = await Promise.all(
    parsed.map(async (target) => ({ ...target, client: await connections.clientFor(target.registry) }))
  );
  return { ...connections, targets, limit: createLimiter(options.concurrency) };
}
function credentialScope(targets, options) {
  if (!options.credentials) return () => void 0;
  if (options.registry) {
    const host = registryApiHost(options.registry.split("/")[0]?.toLowerCase() ?? "");
    return (registry) => registryApiHost(registry) === host ? options.credentials : void 0;
  }
  const registries = [...new Set(targets.map((t) => t.registry))];
  const scoped = registries.length === 1 ? registries[0] : void 0;
  if (!scoped) {
    throw new InputError(
      `a username and password were given, but the destinations name ${registries.length} registries (${registries.join(", ")})`,
      "set the registry input to the one they are for, and log in to the others with docker/login-action"
    );
  }
  return (registry) => registry === scoped ? options.credentials : void 0;
}

// src/engine/with-writer.ts
async function withWriter(options, fn) {
  let session;
  let writer;
  try {
    session = await openSession(options);
    writer = new Writer({ ...options.writer, limit: session.limit, logger: options.logger });
    return await fn(session, writer);
  } catch (err) {
    await writer?.drain();
    if (writer) notePartial(err, writer.reports);
    throw err;
  } finally {
    await writer?.drain();
    await session?.close();
  }
}

export {
  RegistryError,
  require_node_events,
  pushScope,
  blobSize,
  mountBlob,
  readBlob,
  readSmallBlob,
  openBlob,
  putManifest,
  getManifest,
  addToReferrersTag,
  manifestExists,
  RegistrySource,
  loadRegistryImage,
  postOrder,
  planTree,
  writePlan,
  uniqueBlobs,
  planResult,
  withWriter
};

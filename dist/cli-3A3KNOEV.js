import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  Agent,
  EnvHttpProxyAgent,
  ImagePushError,
  InputError,
  formatReference,
  parseReference,
  request
} from "./cli-FJOGMTSZ.js";

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
    const after = silentMs === void 0 ? "" : ` after ${formatSeconds(silentMs)}`;
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
function formatSeconds(ms) {
  const seconds = ms / 1e3;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

// src/version.ts
var VERSION = "0.1.0";

// src/engine/targets.ts
function parseTargets(destinations, defaultRegistry) {
  if (destinations.length === 0) {
    throw new InputError("no destination given", "name at least one tag, e.g. ghcr.io/OWNER/IMAGE:latest");
  }
  const byRepository = /* @__PURE__ */ new Map();
  for (const destination of destinations) {
    checkBareWord(destination, defaultRegistry);
    const ref = parseReference(destination, defaultRegistry ? { defaultRegistry } : void 0);
    const key = `${ref.registry}/${ref.repository}`;
    let group = byRepository.get(key);
    if (!group) {
      group = { registry: ref.registry, repository: ref.repository, refs: [] };
      byRepository.set(key, group);
    }
    if (!group.refs.some((r) => formatReference(r) === formatReference(ref))) group.refs.push(ref);
  }
  return [...byRepository.values()].map(({ registry, repository, refs }) => ({
    registry,
    repository,
    tags: refs.filter((r) => r.digest === void 0 && r.tag !== void 0).map((r) => r.tag),
    digests: refs.filter((r) => r.digest !== void 0).map((r) => r.digest),
    references: refs
  }));
}
function checkBareWord(destination, defaultRegistry) {
  const word = destination.trim();
  const registry = defaultRegistry?.trim().replace(/\/+$/, "") ?? "";
  if (!registry.includes("/") || /[/:@]/.test(word) || word === "") return;
  throw new InputError(
    `destination "${word}" names no image: with registry "${registry}" it would push to ${registry}/${word}:latest`,
    `for the tag ${word} write IMAGE:${word} (app:${word} pushes to ${registry}/app:${word}); for an image named ${word} write ${word}:latest`
  );
}
function namedTags(destinations, defaultRegistry) {
  return destinations.filter((destination) => {
    const ref = parseReference(destination, {
      ...defaultRegistry ? { defaultRegistry } : {},
      defaultTag: false
    });
    return ref.tag !== void 0;
  });
}
function checkPinnedDigests(targets, digest, what) {
  for (const target of targets) {
    const wrong = target.digests.find((d) => d !== digest);
    if (wrong) {
      throw new InputError(
        `destination ${target.registry}/${target.repository}@${wrong} pins a digest, but ${what} is ${digest}`,
        "drop the digest from the destination, or push the image it names"
      );
    }
  }
}

// src/registry/transport/retry-policy.ts
var DEFAULT_RETRIES = 5;
var REFUSED_WINDOW_MS = 3e3;
var DEFAULT_RETRY_TIMEOUT_SECONDS = 300;
var DEFAULT_RETRY_POLICY = {
  retries: DEFAULT_RETRIES,
  maxElapsedMs: DEFAULT_RETRY_TIMEOUT_SECONDS * 1e3,
  baseDelayMs: 500,
  maxDelayMs: 3e4
};
var RetryTally = class {
  #reasons = /* @__PURE__ */ new Map();
  add(reason) {
    this.#reasons.set(reason, (this.#reasons.get(reason) ?? 0) + 1);
  }
  get count() {
    let total = 0;
    for (const n of this.#reasons.values()) total += n;
    return total;
  }
  /** `12 requests retried: HTTP 503 x7, ECONNRESET x5`, most frequent first; undefined when none was. */
  describe() {
    const count = this.count;
    if (count === 0) return void 0;
    const reasons = [...this.#reasons].sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${reason} x${n}`);
    return `${count} ${count === 1 ? "request" : "requests"} retried: ${reasons.join(", ")}`;
  }
};

// src/oci/platform.ts
function formatPlatform(platform) {
  if (!platform) return "unknown";
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join("/");
}
function parsePlatforms(values) {
  return values.map((value) => {
    const parts = value.trim().split("/");
    const [os, architecture, variant] = parts;
    if (!os || !architecture || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/i.test(p))) {
      throw new InputError(
        `platform "${value}" is not os/architecture[/variant]`,
        "write platforms like linux/amd64 or linux/arm/v7"
      );
    }
    return variant ? { os, architecture, variant } : { os, architecture };
  });
}
function platformMatches(have, want) {
  if (!have) return false;
  return have.os === want.os && have.architecture === want.architecture && (want.variant === void 0 || have.variant === want.variant);
}

export {
  DEFAULT_RETRIES,
  REFUSED_WINDOW_MS,
  DEFAULT_RETRY_TIMEOUT_SECONDS,
  DEFAULT_RETRY_POLICY,
  RetryTally,
  DEFAULT_TIMEOUTS,
  MAX_REDIRECTS,
  Transport,
  send,
  header,
  RegistryError,
  responseError,
  redirectLoopError,
  networkError,
  formatSeconds,
  formatPlatform,
  parsePlatforms,
  platformMatches,
  VERSION,
  parseTargets,
  namedTags,
  checkPinnedDigests
};

import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  ImagePushError
} from "./lib-VQBWY2ZJ.js";

// src/registry/transport/node-http.ts
function coded(message, code) {
  return Object.assign(new Error(message), { code });
}
var NodePool = class {
  #options;
  #http;
  #https;
  constructor(options) {
    this.#options = options;
  }
  #agent(secure) {
    const o = this.#options;
    const common = {
      keepAlive: true,
      keepAliveMsecs: 1e3,
      // Sockets idle longer than this are closed (the registry's own keep-alive is usually longer).
      timeout: o.keepAliveTimeout,
      scheduling: "lifo",
      ...o.lookup ? { lookup: o.lookup } : {}
    };
    if (!secure) {
      return this.#http ??= new (process.getBuiltinModule("node:http")).Agent(common);
    }
    return this.#https ??= new (process.getBuiltinModule("node:https")).Agent({
      ...common,
      rejectUnauthorized: o.rejectUnauthorized,
      ...o.ca ? { ca: [...o.ca] } : {}
    });
  }
  request(options) {
    const url = new URL(options.origin);
    const secure = url.protocol === "https:";
    const mod = process.getBuiltinModule(secure ? "node:https" : "node:http");
    const o = this.#options;
    const headersTimeout = options.headersTimeout ?? o.headersTimeout;
    const bodyTimeout = options.bodyTimeout ?? o.bodyTimeout;
    const { signal } = options;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let settled = false;
      let timer;
      const arm = (ms, error) => {
        clearTimeout(timer);
        if (ms > 0) timer = setTimeout(() => req.destroy(error()), ms);
      };
      const fail = (err) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (!settled) {
          settled = true;
          reject(err);
        }
      };
      const onAbort = () => {
        req.destroy(signal?.reason);
      };
      const req = mod.request({
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ""),
        port: url.port || (secure ? 443 : 80),
        path: options.path,
        method: options.method,
        headers: options.headers,
        agent: this.#agent(secure)
      });
      signal?.addEventListener("abort", onAbort, { once: true });
      req.once("error", fail);
      req.once("socket", (socket) => {
        if (socket.connecting) {
          arm(
            o.connectTimeout,
            () => coded(`connect timed out after ${o.connectTimeout} ms`, "UND_ERR_CONNECT_TIMEOUT")
          );
          socket.once(secure ? "secureConnect" : "connect", () => clearTimeout(timer));
        }
      });
      req.once(
        "finish",
        () => arm(headersTimeout, () => coded("no answer headers in time", "UND_ERR_HEADERS_TIMEOUT"))
      );
      req.once("response", (res) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        settled = true;
        resolve({
          statusCode: res.statusCode ?? 0,
          headers: res.headers,
          body: wrapBody(res, bodyTimeout, signal)
        });
      });
      const body = options.body;
      if (body === null) {
        req.end();
      } else if (typeof body === "string" || Buffer.isBuffer(body)) {
        req.end(body);
      } else {
        body.once("error", (err) => req.destroy(err));
        body.pipe(req);
      }
    });
  }
  close() {
    this.#http?.destroy();
    this.#https?.destroy();
    return Promise.resolve();
  }
};
function wrapBody(res, ms, signal) {
  const socket = res.socket;
  if (ms > 0) {
    const onTimeout = () => {
      res.destroy(coded("the answer stopped in the middle", "UND_ERR_BODY_TIMEOUT"));
    };
    socket.setTimeout(ms, onTimeout);
    res.once("close", () => socket.setTimeout(0, onTimeout));
  }
  const onAbort = () => {
    res.destroy(signal?.reason);
  };
  if (signal) {
    signal.addEventListener("abort", onAbort, { once: true });
    res.once("close", () => signal.removeEventListener("abort", onAbort));
  }
  res.once("aborted", () => {
    if (!res.complete)
      res.destroy(coded("the connection closed before the answer was complete", "UND_ERR_SOCKET"));
  });
  const collect = async () => {
    const chunks = [];
    for await (const chunk of res) chunks.push(chunk);
    return Buffer.concat(chunks);
  };
  return Object.assign(res, {
    text: async () => (await collect()).toString("utf8"),
    json: async () => JSON.parse((await collect()).toString("utf8")),
    arrayBuffer: async () => {
      const bytes = await collect();
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    },
    dump: async () => {
      if (res.complete || res.destroyed) return;
      let read = 0;
      try {
        for await (const chunk of res) {
          read += chunk.length;
          if (read > 128 * 1024) {
            res.destroy();
            return;
          }
        }
      } catch {
      }
    }
  });
}

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
      // Read only with a CA of the user's: an ESM import of node:tls builds the root list (~20 ms) on every run.
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
      return lazyPool(async () => {
        const { EnvHttpProxyAgent } = await import("./lib-WVA6XPKZ.js");
        return new EnvHttpProxyAgent({
          ...timeouts,
          httpProxy: env.HTTP_PROXY ?? env.http_proxy,
          httpsProxy: env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy,
          noProxy: env.NO_PROXY ?? env.no_proxy,
          connect: tls,
          requestTls: tls
        });
      });
    }
    const small = new NodePool({
      rejectUnauthorized: verify,
      ca: tls.ca,
      lookup: this.#options.lookup,
      connectTimeout: timeouts.connectTimeout,
      headersTimeout: timeouts.headersTimeout,
      bodyTimeout: timeouts.bodyTimeout,
      keepAliveTimeout: timeouts.keepAliveTimeout
    });
    const uploads = lazyPool(async () => {
      const { Agent } = await import("./lib-WVA6XPKZ.js");
      return new Agent({ ...timeouts, connect: tls });
    });
    return {
      request: (options) => (isUpload(options) ? uploads : small).request(options),
      close: async () => {
        await Promise.all([small.close(), uploads.close()]);
      }
    };
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
    const parsed = new URL(url);
    const res = await dispatcher.request({
      origin: parsed.origin,
      path: `${parsed.pathname}${parsed.search}`,
      method: req.method,
      headers,
      body: req.body ?? null,
      ...options
    });
    const location = header(res.headers, "location");
    const redirect = [301, 302, 303, 307, 308].includes(res.statusCode) && location !== void 0;
    if (!redirect || req.body !== void 0 || hop >= MAX_REDIRECTS) {
      return { status: res.statusCode, headers: res.headers, url, body: res.body };
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
function isUpload(options) {
  const { body } = options;
  return body !== null && typeof body !== "string" && !Buffer.isBuffer(body);
}
function lazyPool(make) {
  let pool;
  return {
    request: async (options) => (await (pool ??= make())).request(options),
    close: async () => {
      if (pool) await (await pool).close();
    }
  };
}

// src/registry/transport/errors.ts
var RegistryError = class extends ImagePushError {
  status;
  codes;
  retryAfterMs;
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
var SILENCE_CODES = /* @__PURE__ */ new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);
var BROKEN_CODES = /* @__PURE__ */ new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);
function networkError(what, registry, err, silentMs) {
  const code = err.code ?? "";
  const text = err.message;
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
  const verb = BROKEN_CODES.has(code) && !handshake ? "lost the connection to" : "cannot reach";
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

export {
  DEFAULT_TIMEOUTS,
  Transport,
  send,
  header,
  RegistryError,
  responseError,
  networkError,
  formatSeconds,
  VERSION
};

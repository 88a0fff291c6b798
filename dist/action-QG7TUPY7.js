import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  InputError
} from "./action-QNNVT73O.js";

// src/oci/reference.ts
var DOCKER_HUB = "docker.io";
var DOCKER_HUB_ALIASES = /* @__PURE__ */ new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);
var DOCKER_HUB_API = "registry-1.docker.io";
var PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
var TAG = /^\w[\w.-]{0,127}$/;
var DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
var HOST_LABEL = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
var IPV6 = /^\[[a-fA-F0-9:.]+\]$/;
var MAX_NAME_LENGTH = 255;
function referenceCredentials(input) {
  const text = input.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  const at = text.indexOf("@");
  if (at <= 0) return void 0;
  const before = text.slice(0, at);
  if (before.includes("/") || !text.slice(at + 1).includes("/")) return void 0;
  return before;
}
function redactReference(input) {
  const secret = referenceCredentials(input);
  return secret === void 0 ? input : input.replace(`${secret}@`, "***@");
}
function refuseCredentials(input, what = "image reference") {
  if (referenceCredentials(input) === void 0) return;
  throw new InputError(
    `${what} "${redactReference(input.trim())}" holds credentials (user:password@ before the registry)`,
    "credentials do not belong in a reference, where logs would show them: give them as username and password (the action inputs; the CLI takes --username with IMAGE_PUSH_PASSWORD or --password-stdin), or log in first (docker login, docker/login-action); change the password if it was in a public log"
  );
}
function refuseCredentialsIn(inputs, onSecret = () => void 0) {
  for (const [name, values] of Object.entries(inputs)) {
    for (const value of values) {
      const secret = referenceCredentials(value);
      if (secret === void 0) continue;
      onSecret(secret);
      const colon = secret.indexOf(":");
      if (colon !== -1 && colon < secret.length - 1) onSecret(secret.slice(colon + 1));
      refuseCredentials(value, name);
    }
  }
}
function parseReference(input, options = {}) {
  refuseCredentials(input);
  const text = input.trim();
  const fail = (reason, hint) => {
    throw new InputError(`invalid image reference "${text}": ${reason}`, hint);
  };
  if (text === "") fail("it is empty", "write it as REGISTRY/REPOSITORY:TAG, e.g. ghcr.io/org/app:1.0");
  if (/^[a-z]+:\/\//i.test(text))
    fail("a reference has no scheme", `drop it: "${text.replace(/^[a-z]+:\/\//i, "")}"`);
  if (/\s/.test(text))
    fail("it contains white space", "separate several references with commas or new lines");
  let rest = text;
  let digest;
  const at = rest.indexOf("@");
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    checkDigest(digest, fail);
  }
  let tag;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (tag === "") fail('tag "" is empty', `write a tag after the ':', or drop the ':' to push "latest"`);
    if (tag.length > 128) fail("the tag is longer than 128 characters", "shorten it to at most 128");
    if (!TAG.test(tag)) {
      fail(`tag "${tag}" may hold only letters, digits, '_', '.' and '-', and not start with '.' or '-'`);
    }
  }
  if (rest === "")
    fail("the repository name is missing", "write it as REPOSITORY:TAG, e.g. ghcr.io/org/app:1.0");
  let registry;
  let path;
  const slash = rest.indexOf("/");
  const first = slash === -1 ? "" : rest.slice(0, slash);
  if (slash !== -1 && (first.includes(".") || first.includes(":") || first === "localhost")) {
    registry = normaliseRegistry(first, fail);
    path = rest.slice(slash + 1);
  } else if (options.defaultRegistry) {
    const [host = "", ...namespace] = options.defaultRegistry.trim().replace(/\/+$/, "").split("/");
    registry = normaliseRegistry(host, fail);
    path = [...namespace, rest].join("/");
  } else {
    registry = DOCKER_HUB;
    path = rest;
  }
  if (path === "") fail("the repository name is missing", "write it as REGISTRY/REPOSITORY:TAG");
  if (path.toLowerCase() !== path) {
    fail(
      "repository names must be lowercase",
      // The upper case may come from the default registry's namespace rather than from the reference.
      rest.toLowerCase() !== rest || text.includes(path) ? `write it as "${text.replace(rest, rest.toLowerCase())}"` : `write the registry namespace "${options.defaultRegistry ?? ""}" in lowercase`
    );
  }
  for (const component of path.split("/")) {
    if (component === "")
      fail("the repository path has an empty component ('//' or a trailing '/')", "remove the extra '/'");
    if (component.includes(":")) {
      fail(`"${component}" holds a ':', but only a tag follows a ':' (or a port, after a registry host)`);
    }
    if (!PATH_COMPONENT.test(component)) {
      fail(
        `"${component}" is not a valid path component`,
        "use lowercase letters and digits, separated by '.', '_', '__' or '-'"
      );
    }
  }
  if (registry === DOCKER_HUB && !path.includes("/")) path = `library/${path}`;
  if (registry.length + 1 + path.length > MAX_NAME_LENGTH)
    fail(`the name is longer than ${MAX_NAME_LENGTH} characters`, "shorten the repository path");
  if (tag === void 0 && digest === void 0 && options.defaultTag !== false) {
    tag = options.defaultTag ?? "latest";
  }
  return { registry, repository: path, tag, digest };
}
function checkDigest(digest, fail) {
  if (digest === "")
    fail("'@' must be followed by a digest", "write it as REPOSITORY@sha256:<64 hex digits>");
  if (!DIGEST.test(digest)) fail(`"${digest}" is not a digest`, "write it as sha256:<64 hex digits>");
  const [algorithm, hex = ""] = digest.split(":");
  const expected = algorithm === "sha256" ? 64 : algorithm === "sha512" ? 128 : void 0;
  if (expected !== void 0 && !new RegExp(`^[a-f0-9]{${expected}}$`).test(hex)) {
    fail(
      `a ${algorithm} digest has exactly ${expected} lowercase hex digits`,
      `write it as ${algorithm}:<${expected} lowercase hex digits>`
    );
  }
}
function normaliseRegistry(host, fail) {
  let name = host;
  let port;
  const portMatch = /:(\d*)$/.exec(host);
  if (portMatch && !(host.startsWith("[") && !host.includes("]:"))) {
    port = portMatch[1];
    name = host.slice(0, portMatch.index);
    const n = Number(port);
    if (port === "" || !Number.isInteger(n) || n < 1 || n > 65535)
      fail(
        `port "${port ?? ""}" is not from 1 to 65535`,
        "write the registry as HOST:PORT, e.g. localhost:5000"
      );
  }
  const valid = IPV6.test(name) || name.split(".").every((label) => HOST_LABEL.test(label));
  if (!valid)
    fail(
      `"${host}" is not a valid registry host`,
      "a host name holds letters, digits, '-' and '.', e.g. ghcr.io or localhost:5000"
    );
  const lower = name.toLowerCase();
  const normalised = port === void 0 ? lower : `${lower}:${port}`;
  return DOCKER_HUB_ALIASES.has(normalised) ? DOCKER_HUB : normalised;
}
function formatReference(ref) {
  return `${repositoryName(ref)}${ref.tag !== void 0 ? `:${ref.tag}` : ""}${ref.digest !== void 0 ? `@${ref.digest}` : ""}`;
}
function repositoryName(ref) {
  return `${ref.registry}/${ref.repository}`;
}
function registryApiHost(registry) {
  return DOCKER_HUB_ALIASES.has(registry) ? DOCKER_HUB_API : registry;
}
function isLoopbackRegistry(registry) {
  const host = hostWithoutPort(registry.toLowerCase());
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
function hostWithoutPort(registry) {
  return registry.startsWith("[") ? registry.slice(0, registry.indexOf("]") + 1) : registry.replace(/:\d*$/, "");
}
function isListedInsecure(registry, entries) {
  const name = registry.toLowerCase();
  const host = hostWithoutPort(name);
  return entries.some((raw) => {
    const entry = raw.trim().toLowerCase().replace(/^https?:\/\//, "").replace(/\/+$/, "");
    return entry === name || entry === hostWithoutPort(entry) && entry === host;
  });
}
function parseRegistrySettings(registry, insecureRegistries) {
  const notes = [];
  let parsedRegistry;
  if (registry !== void 0 && registry.trim() !== "") {
    const { host, path } = splitRegistryText("registry", registry, notes);
    parsedRegistry = path ? `${host}/${path}` : host;
  }
  const insecure = insecureRegistries.filter((entry) => entry.trim() !== "").map((entry) => {
    const { host, path } = splitRegistryText("insecure-registries entry", entry, notes);
    if (path) {
      throw new InputError(
        `insecure-registries entry "${entry.trim()}" holds a path`,
        `list the registry host only: "${host}"`
      );
    }
    return host;
  });
  return { registry: parsedRegistry, insecureRegistries: insecure, notes };
}
function splitRegistryText(name, input, notes) {
  const original = input.trim();
  let text = original;
  const fail = (reason, hint) => {
    throw new InputError(`${name} "${original}": ${reason}`, hint);
  };
  if (text === "*" || text.includes("*")) {
    fail("wildcards are not supported", "list each registry as HOST or HOST:PORT");
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme) {
    const word = (scheme[1] ?? "").toLowerCase();
    if (word !== "http" && word !== "https") {
      fail(`"${word}://" is not a registry scheme`, "write it as HOST or HOST:PORT, e.g. localhost:5000");
    }
    text = text.slice(scheme[0].length);
  }
  const trimmed = text.replace(/\/+$/, "");
  const slash = trimmed.indexOf("/");
  const host = normaliseRegistry(
    slash === -1 ? trimmed : trimmed.slice(0, slash),
    (reason, hint) => fail(reason, hint)
  );
  const path = slash === -1 ? "" : trimmed.slice(slash + 1);
  if (scheme || trimmed !== text) {
    notes.push(
      `${name} "${original}" read as "${path ? `${host}/${path}` : host}"${scheme ? ": the scheme is chosen by the client (HTTPS; plain HTTP only for loopback and insecure-registries)" : ""}`
    );
  }
  return { host, path };
}

export {
  DOCKER_HUB,
  refuseCredentialsIn,
  parseReference,
  formatReference,
  registryApiHost,
  isLoopbackRegistry,
  isListedInsecure,
  parseRegistrySettings
};

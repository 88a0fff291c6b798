import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  childrenOf
} from "./action-UXXX6J6T.js";
import {
  repositoriesOf,
  repositoryOf
} from "./action-4FZILLFW.js";
import {
  sumSizes,
  tallyBlobs
} from "./action-AUXMV2XP.js";
import {
  formatPlatform
} from "./action-33YKOHQK.js";
import "./action-QG7TUPY7.js";
import {
  ImagePushError
} from "./action-QNNVT73O.js";
import {
  formatBytes,
  formatRate,
  formatSeconds
} from "./action-7YDRSE4Y.js";
import {
  summary
} from "./action-PD5JI2TT.js";
import "./action-JJ6ZGO25.js";

// src/report/summary.ts
var LONG_TABLE = 8;
var RATE_MIN_BYTES = 1e6;
function buildSummary(result, options = {}) {
  const lines = [];
  const children = childrenOf(result);
  const kind = children.length > 0 ? `index of ${count(children.length, "platform")}` : "manifest";
  lines.push(`### Image pushed: ${code(result.digest)}`, "");
  const platform = children.length === 0 && result.platform ? ` for ${code(formatPlatform(result.platform))}` : "";
  lines.push(`${capitalize(kind)}${platform}, ${formatBytes(result.size)}, ${code(result.mediaType)}.`, "");
  if (result.source) lines.push(`From ${code(result.source)}.`, "");
  for (const repository of repositoriesOf(result.references)) {
    const tags = result.references.filter((reference) => repositoryOf(reference) === repository && !reference.includes("@")).map((reference) => code(reference.slice(repository.length + 1)));
    lines.push(
      `**${escapeText(repository)}**: ${tags.length > 0 ? `${tags.length === 1 ? "tag" : "tags"} ${tags.join(", ")}` : "by digest, no tag"}`,
      "",
      "```sh",
      `docker pull ${repository}@${result.digest}`,
      "```",
      ""
    );
  }
  if (children.length > 0) {
    lines.push("| Platform | Manifest | Size |", "| --- | --- | ---: |");
    for (const child of children) {
      lines.push(
        `| ${cell(formatPlatform(child.platform))} | ${code(shortDigest(child.digest))} | ${formatBytes(child.size)} |`
      );
    }
    lines.push("");
  }
  lines.push(...blobTables(result.blobs));
  lines.push(...totals(result, options));
  return `${lines.join("\n")}
`;
}
function buildFailureSummary(err, blobs, source) {
  const what = err instanceof Error ? err.message : String(err);
  const hint = err instanceof ImagePushError ? err.hint : void 0;
  const failed = err;
  const headline = err instanceof ImagePushError && typeof failed?.where === "string" ? registryHeadline(what, failed.where, typeof failed.status === "number" ? failed.status : void 0) : void 0;
  const lines = [
    headline ? `### Push failed: ${headline}` : `### Push failed${source ? `: ${code(source)}` : ""}`,
    ""
  ];
  if (headline && source) lines.push(`Pushing ${code(source)}.`, "");
  lines.push(`**What failed:** ${escapeText(oneLine(what))}`, "");
  if (hint) lines.push(`**How to fix it:** ${escapeText(oneLine(hint))}`, "");
  if (blobs.length === 0) {
    lines.push("No blob had gone up before the failure.", "");
    return `${lines.join("\n")}
`;
  }
  const uploaded = blobs.filter((b) => b.action === "uploaded");
  const inPlace = blobs.filter((b) => b.action !== "uploaded");
  lines.push(
    `**Before the failure:** ${count(uploaded.length, "blob")} uploaded (${formatBytes(sumSizes(uploaded))}), ${inPlace.length} already in the registry or mounted; a re-run does not send them again. No tag moved unless every blob it needs was in place.`,
    ""
  );
  lines.push(...blobTables(blobs));
  return `${lines.join("\n")}
`;
}
function registryHeadline(message, where, status) {
  const meaning = status === 401 ? /no credentials were given/.test(message) ? "wants credentials" : "refused the credentials" : status === 403 ? "denied access" : status === 404 ? "does not have what was asked for" : status === 413 ? "refused a request as too large" : status === 429 ? "limited the request rate" : status !== void 0 && status >= 500 ? "failed with a server error" : status !== void 0 ? "refused a request" : "could not be reached or stopped answering";
  return `${code(where)} ${meaning}${status === void 0 ? "" : ` (${status})`}`;
}
function blobTables(blobs) {
  const lines = [];
  const byRepository = Map.groupBy(blobs, (blob) => blob.repository);
  for (const [repository, group] of byRepository) {
    const heading = byRepository.size > 1 ? ` in ${code(repository)}` : "";
    const table = [
      "| Blob | Size | What happened | Time | Throughput |",
      "| --- | ---: | --- | ---: | ---: |"
    ];
    for (const blob of [...group].sort((a, b) => b.size - a.size)) {
      const moved = blob.action === "uploaded";
      const rate = moved && blob.size >= RATE_MIN_BYTES ? formatRate(blob.size, blob.seconds) : "\u2013";
      table.push(
        `| ${code(shortDigest(blob.digest))} | ${formatBytes(blob.size)} | ${blobOutcome(blob)} | ${moved ? formatSeconds(blob.seconds) : "\u2013"} | ${rate} |`
      );
    }
    if (group.length > LONG_TABLE) {
      const what = `${count(group.length, "blob")}${heading}, ${formatBytes(sumSizes(group))}`;
      lines.push("<details>", `<summary>${what.replace(/`([^`]*)`/g, "<code>$1</code>")}</summary>`, "");
      lines.push(...table, "", "</details>", "");
    } else {
      if (heading) lines.push(`#### Blobs${heading}`, "");
      lines.push(...table, "");
    }
  }
  return lines;
}
function blobOutcome(blob) {
  const action = blob.action;
  if (blob.fromBlobMap) return "known from an earlier push (not read)";
  if (action === "mounted") return "mounted from another repository";
  if (action === "uploaded") return blob.compressed ? "compressed and uploaded" : "uploaded";
  if (action === "skipped")
    return blob.compressed ? "compressed; already in the registry" : "already in the registry";
  return cell(action);
}
function totals(result, options) {
  const { all, uploaded, skipped, mounted } = tallyBlobs(result.blobs);
  let line = `**Totals:** ${count(all.count, "blob")}, ${formatBytes(all.bytes)}: ${uploaded.count} uploaded (${formatBytes(uploaded.bytes)})`;
  if (skipped.count > 0) line += `, ${skipped.count} already in the registry (${formatBytes(skipped.bytes)})`;
  if (mounted.count > 0) line += `, ${mounted.count} mounted (${formatBytes(mounted.bytes)})`;
  const lines = [`${line}.`];
  const details = [];
  if (result.bytesCompressed > 0) {
    details.push(
      `compressed ${formatBytes(result.bytesCompressed)} of uncompressed layers, ${count(result.layersRead, "layer")} read from the source`
    );
  }
  if (options.seconds !== void 0) {
    const rate = uploaded.count > 0 ? `, ${formatRate(uploaded.bytes, options.seconds)} uploaded` : "";
    details.push(`pushed in ${formatSeconds(options.seconds)}${rate}`);
  }
  if (details.length > 0) lines.push("", `${capitalize(details.join("; "))}.`);
  return lines;
}
function shortDigest(digest) {
  const colon = digest.indexOf(":");
  return colon < 0 ? digest.slice(0, 12) : digest.slice(0, colon + 13);
}
function count(n, noun) {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
function oneLine(text) {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}
function cell(text) {
  return text.replaceAll("|", "\\|").replaceAll("<", "&lt;");
}
function escapeText(text) {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replace(/([\\`*_[\]|])/g, "\\$1");
}
function code(text) {
  return `\`${text.replaceAll("|", "\\|").replaceAll("`", "'")}\``;
}
async function append(markdown) {
  if (!process.env.GITHUB_STEP_SUMMARY) return false;
  await summary.addRaw(markdown, true).write();
  return true;
}
function writeSummary(result, options = {}) {
  return append(buildSummary(result, options));
}
function writeFailureSummary(err, blobs, source) {
  return append(buildFailureSummary(err, blobs, source));
}
export {
  LONG_TABLE,
  blobOutcome,
  buildFailureSummary,
  buildSummary,
  shortDigest,
  writeFailureSummary,
  writeSummary
};

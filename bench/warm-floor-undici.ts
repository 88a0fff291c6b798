// The floor of a re-run on image-push's own HTTP client: bench/warm-floor.mjs's steps (read the OCI layout's
// index.json and manifest, check the manifest's digest, GET /v2/, GET of the tag, compare the registry's digest)
// with the requests sent through src/undici.ts instead of node:http. The bench bundles it in the run with the
// plugins dist/ is built with (scripts/build-plugins.ts) behind an entry that turns V8's compile cache on first,
// as dist/cli.js does: what any tool on this undici pays at least for oci-warm.
// usage (bundled): node floor.mjs LAYOUT HOST/REPOSITORY:TAG
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from '../src/undici.ts';

const [layout = '', destination = ''] = process.argv.slice(2);
const host = destination.slice(0, destination.indexOf('/'));
const [repository, tag] = destination.slice(host.length + 1).split(':');
const index = JSON.parse(readFileSync(`${layout}/index.json`, 'utf8')) as { manifests: { digest: string }[] };
const digest = index.manifests[0]?.digest ?? '';
const manifest = readFileSync(`${layout}/blobs/sha256/${digest.slice(7)}`);
if (`sha256:${createHash('sha256').update(manifest).digest('hex')}` !== digest)
  throw new Error('bad manifest');

const agent = new Agent();
const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await request(`http://${host}${path}`, { headers, dispatcher: agent });
  await res.body.dump();
  return res;
};
await get('/v2/');
const { mediaType } = JSON.parse(manifest.toString('utf8')) as { mediaType?: string };
const res = await get(`/v2/${repository}/manifests/${tag}`, {
  accept: mediaType ?? 'application/vnd.oci.image.manifest.v1+json',
});
if (res.headers['docker-content-digest'] !== digest)
  throw new Error(`the tag holds ${String(res.headers['docker-content-digest'])}`);
await agent.close();
process.stdout.write(`${digest}\n`);

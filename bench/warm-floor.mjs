// The floor of a re-run in Node: what image-push must do at least when the tag already holds the image, written
// as plainly as Node allows. It reads the OCI layout's index.json and manifest, checks the manifest's digest,
// sends GET /v2/ and GET of the tag's manifest, and compares the registry's digest. Plain JavaScript with the
// built-ins taken by process.getBuiltinModule (no TypeScript stripping, no ESM facade of node:http), so the
// figure is Node's start-up plus two requests: the least a Node tool can take for oci-warm.
// usage: node warm-floor.mjs LAYOUT HOST/REPOSITORY:TAG
const http = process.getBuiltinModule('node:http');
const { readFileSync } = process.getBuiltinModule('node:fs');
const { createHash } = process.getBuiltinModule('node:crypto');

const [layout, destination] = process.argv.slice(2);
const host = destination.slice(0, destination.indexOf('/'));
const [repository, tag] = destination.slice(host.length + 1).split(':');
const { digest } = JSON.parse(readFileSync(`${layout}/index.json`, 'utf8')).manifests[0];
const manifest = readFileSync(`${layout}/blobs/sha256/${digest.slice(7)}`);
if (`sha256:${createHash('sha256').update(manifest).digest('hex')}` !== digest)
  throw new Error('bad manifest');

const agent = new http.Agent({ keepAlive: true });
const [hostname, port] = host.split(':');
const get = (path, headers = {}) =>
  new Promise((resolve, reject) => {
    http
      .get({ hostname, port, path, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res));
      })
      .on('error', reject);
  });
await get('/v2/');
const res = await get(`/v2/${repository}/manifests/${tag}`, {
  accept: JSON.parse(manifest).mediaType ?? 'application/vnd.oci.image.manifest.v1+json',
});
if (res.headers['docker-content-digest'] !== digest)
  throw new Error(`the tag holds ${res.headers['docker-content-digest']}`);
agent.destroy();
process.stdout.write(`${digest}\n`);

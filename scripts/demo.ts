// `npm run demo`: makes a sample OCI layout, starts a local registry, pushes the image with the CLI bundle
// twice (the second push uploads nothing), checks it with skopeo and prints the digest.
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRegistry } from '../test/helpers/registry.ts';
import { inspectRaw } from '../test/helpers/skopeo.ts';
import { ensureTools, makeTempDir } from '../test/helpers/tools.ts';
import { writeOciLayout } from '../test/helpers/sample-image.ts';

const execFileAsync = promisify(execFile);
const cli = join(import.meta.dirname, '../dist/cli.js');

await ensureTools(['docker-registry', 'skopeo']);
const work = await makeTempDir('image-push-demo-');
const registry = await startRegistry();
try {
  const layout = join(work, 'layout');
  console.log('Making a sample OCI layout (3 layers, ~40 MB of files)...');
  const image = await writeOciLayout(layout, {
    layers: [{ size: 30 << 20 }, { size: 8 << 20 }, { size: 1 << 20 }],
    seed: 42,
    tag: 'demo',
  });
  const destination = `${registry.host}/demo/app:latest`;
  for (const attempt of ['first', 'second']) {
    console.log(`\n$ image-push push oci:${layout}:demo ${destination}   (${attempt} push)`);
    const started = performance.now();
    const { stdout, stderr } = await execFileAsync(process.execPath, [
      cli,
      'push',
      `oci:${layout}:demo`,
      destination,
    ]);
    process.stderr.write(stderr);
    console.log(`digest: ${stdout.trim()}   (${((performance.now() - started) / 1000).toFixed(2)} s)`);
    if (stdout.trim() !== image.manifestDigest) throw new Error(`expected ${image.manifestDigest}`);
  }
  const raw = await inspectRaw(destination);
  const local = await readFile(join(layout, 'blobs/sha256', image.manifestDigest.slice('sha256:'.length)));
  if (!raw.equals(local)) throw new Error('skopeo sees a different manifest from the one in the layout');
  console.log(
    `\nskopeo inspect --raw docker://${destination}: the same ${raw.length} manifest bytes as the layout`,
  );
} finally {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}

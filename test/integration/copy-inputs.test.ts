// The docker:// source through both front ends (CLI flags and environment, action inputs and the Docker
// config), and its input errors and source failures: one line each, with the fix.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { sha256Digest } from '../../src/oci/digest.ts';
import type { SampleIndex } from '../helpers/sample-image.ts';
import { rejectsWithLine } from '../helpers/assert.ts';
import { A_USER, B_CREDS, B_USER, copy, startCopyWorld, type CopyWorld } from '../helpers/copy-world.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { inspectRaw, listTags } from '../helpers/skopeo.ts';

const execFileAsync = promisify(execFile);
const root = join(import.meta.dirname, '../..');

let world: CopyWorld;
let work: string;
let a: TestRegistry;
let b: TestRegistry;
let sample: SampleIndex;

before(async () => {
  world = await startCopyWorld('copy-inputs-');
  ({ work, a, b, sample } = world);
});

after(async () => {
  await world.stop();
});

describe('front ends', () => {
  test('CLI: --source-username with IMAGE_PUSH_SOURCE_PASSWORD copies and prints the kept digest', async () => {
    const { stdout } = await execFileAsync(
      process.execPath,
      [
        join(root, 'src/cli/index.ts'),
        'push',
        '--quiet',
        '--no-blob-map',
        `docker://${a.host}/src/app:1`,
        `${b.host}/cli/app:1`,
        '--username',
        B_USER.username,
        '--source-username',
        A_USER.username,
      ],
      {
        env: {
          PATH: process.env.PATH,
          DOCKER_CONFIG: join(work, 'no-docker-config'),
          IMAGE_PUSH_PASSWORD: B_USER.password,
          IMAGE_PUSH_SOURCE_PASSWORD: A_USER.password,
        },
      },
    );
    assert.equal(stdout.trim(), sample.indexDigest);
    assert.equal(sha256Digest(await inspectRaw(`${b.host}/cli/app:1`, B_CREDS)), sample.indexDigest);
  });

  test('action: source credentials from the Docker config, or source-username/source-password (masked)', async () => {
    const config = join(work, 'docker-config');
    await mkdir(config, { recursive: true });
    const auth = (user: { username: string; password: string }): string =>
      Buffer.from(`${user.username}:${user.password}`).toString('base64');
    await writeFile(
      join(config, 'config.json'),
      JSON.stringify({ auths: { [a.host]: { auth: auth(A_USER) } } }),
    );
    const runAction = async (inputs: Record<string, string>): Promise<string> => {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        GITHUB_OUTPUT: join(work, `output-${Object.keys(inputs).length}`),
        DOCKER_CONFIG: config,
        INPUT_CACHE: 'false',
      };
      await writeFile(env.GITHUB_OUTPUT!, '');
      for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
      const { stdout } = await execFileAsync(process.execPath, [join(root, 'src/action/index.ts')], { env });
      const outputs = await readFile(env.GITHUB_OUTPUT!, 'utf8');
      assert.match(outputs, new RegExp(`^digest<<.*\\n${sample.indexDigest}$`, 'm'), stdout);
      return stdout;
    };
    // The Docker config logs in to the source; the destination gets username/password.
    await runAction({
      image: `docker://${a.host}/src/app:1`,
      tags: `${b.host}/action/app:1`,
      username: B_USER.username,
      password: B_USER.password,
    });
    // Explicit source credentials win over the Docker config, and are masked.
    await writeFile(join(config, 'config.json'), '{}');
    const stdout = await runAction({
      image: `docker://${a.host}/src/app:1`,
      tags: `${b.host}/action/app:2`,
      username: B_USER.username,
      password: B_USER.password,
      'source-username': A_USER.username,
      'source-password': A_USER.password,
    });
    assert.ok(stdout.includes(`::add-mask::${A_USER.password}`), 'the source password is masked');
    const tags = await listTags(`${b.host}/action/app`, B_CREDS);
    assert.deepEqual(tags.filter((t) => !t.startsWith('sha256-')).sort(), ['1', '2']);
  });
});

describe('bad input and an unreadable source: one line with the fix', () => {
  test('docker: without // names the right form', async () => {
    await rejectsWithLine(
      copy(`docker:${a.host}/src/app:1`, [`${b.host}/x/app:1`]),
      new RegExp(
        `^image "docker:${a.host}/src/app:1": the registry transport is written docker://REGISTRY/REPOSITORY:TAG\\. write docker://${a.host}/src/app:1$`,
      ),
    );
  });

  test('a malformed docker:// reference says what is wrong with it', async () => {
    await rejectsWithLine(
      copy(`docker://${a.host}/Src/app:1`, [`${b.host}/x/app:1`]),
      /invalid image reference/,
    );
  });

  test('source credentials for a source that is not in a registry are refused', async () => {
    const layout = join(work, 'layout');
    await rejectsWithLine(
      copy(`oci:${layout}`, [`${b.host}/x/app:1`], { sourceCredentials: A_USER }),
      /source credentials were given, but the image "oci:.*" is not in a registry\. they are for a docker:\/\//,
    );
    assert.deepEqual(await listTags(`${b.host}/x/app`, B_CREDS), []);
  });

  test('a tag the source lacks, and a wrong source password, fail with the fix in the line', async () => {
    await rejectsWithLine(
      copy(`docker://${a.host}/src/app:nope`, [`${b.host}/x/app:1`], {
        credentials: B_USER,
        sourceCredentials: A_USER,
      }),
      new RegExp(
        `^docker://${a.host}/src/app:nope: ${a.host} has no manifest nope in src/app\\. check the tag`,
      ),
    );
    await rejectsWithLine(
      copy(`docker://${a.host}/src/app:1`, [`${b.host}/x/app:1`], {
        credentials: B_USER,
        sourceCredentials: { username: A_USER.username, password: 'wrong' },
      }),
      /reading manifest src\/app:1: .*401.*check the username and password/,
    );
    assert.deepEqual(await listTags(`${b.host}/x/app`, B_CREDS), []);
  });
});

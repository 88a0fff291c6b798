// Which engine findEngine picks, from the same variables and files the docker CLI reads.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findEngine } from '../../src/source/engine-endpoint.ts';
import { makeTempDir } from '../helpers/tools.ts';

let config: string;
const id = (name: string): string => createHash('sha256').update(name).digest('hex');

before(async () => {
  config = await makeTempDir('engine-endpoint-');
  const meta = join(config, 'contexts/meta', id('remote'));
  await mkdir(meta, { recursive: true });
  await writeFile(
    join(meta, 'meta.json'),
    JSON.stringify({
      Name: 'remote',
      Endpoints: { docker: { Host: 'tcp://127.0.0.2:2376', SkipTLSVerify: false } },
    }),
  );
  const tls = join(config, 'contexts/tls', id('remote'), 'docker');
  await mkdir(tls, { recursive: true });
  await writeFile(join(tls, 'ca.pem'), 'CA');
  await writeFile(join(tls, 'cert.pem'), 'CERT');
  await writeFile(join(tls, 'key.pem'), 'KEY');
  await writeFile(join(config, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
});
after(() => rm(config, { recursive: true, force: true }));

test('DOCKER_HOST wins over every context', async () => {
  const found = await findEngine({
    DOCKER_HOST: 'unix:///x.sock',
    DOCKER_CONTEXT: 'remote',
    DOCKER_CONFIG: config,
  });
  assert.deepEqual(found, { host: 'unix:///x.sock', chosenBy: 'DOCKER_HOST' });
});

test("the config's currentContext, with the TLS files of the context store", async () => {
  const found = await findEngine({ DOCKER_CONFIG: config });
  assert.equal(found.host, 'tcp://127.0.0.2:2376');
  assert.match(found.chosenBy, /^context "remote" \(currentContext in .*config\.json\)$/);
  assert.deepEqual(
    [found.tls?.ca?.toString(), found.tls?.cert?.toString(), found.tls?.key?.toString(), found.tls?.verify],
    ['CA', 'CERT', 'KEY', true],
  );
});

test('DOCKER_CONTEXT=default and no config at all mean the default socket', async () => {
  const byName = await findEngine({ DOCKER_CONTEXT: 'default', DOCKER_CONFIG: config });
  const none = await findEngine({ DOCKER_CONFIG: join(config, 'absent') });
  for (const found of [byName, none]) assert.equal(found.host, 'unix:///var/run/docker.sock');
});

test('DOCKER_TLS_VERIFY without a ca.pem is an error that says where it looked', async () => {
  await assert.rejects(
    findEngine({
      DOCKER_HOST: 'tcp://127.0.0.1:2376',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: join(config, 'none'),
    }),
    /DOCKER_TLS_VERIFY is set, but .*none\/ca\.pem does not exist/,
  );
});

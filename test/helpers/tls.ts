// A throwaway certificate authority and a server certificate for 127.0.0.1, ::1 and localhost, made with the
// openssl CLI in a temp dir, for a registry (or nginx) that serves HTTPS in tests.
//
// The dir doubles as a containers-image "cert dir" for skopeo (`--dest-cert-dir` / `--src-cert-dir` / `--cert-dir`):
// that loader takes every *.crt as a CA and pairs *.cert with *.key as client certificates, so the CA is ca.crt
// and no other file there ends in .crt, .cert or .key.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, run } from './tools.ts';

export interface TlsFiles {
  /** The temp dir holding everything below; also a skopeo cert dir that trusts the CA. */
  readonly dir: string;
  /** PEM certificate of the CA (`curl --cacert`, Node's `ca` option). */
  readonly caPath: string;
  /** PEM server certificate signed by the CA, with IP SANs 127.0.0.1 and ::1 and DNS SAN localhost. */
  readonly certPath: string;
  /** PEM private key of the server certificate (unencrypted). */
  readonly keyPath: string;
  /** Removes the dir. Safe to call twice. */
  remove(): Promise<void>;
}

const DAYS = '2';
// P-256 keys: generated in milliseconds, and accepted by Go (distribution, skopeo), curl and Node.
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** `names`: more DNS names for the server certificate (made-up hosts a test's lookup maps to loopback). */
export async function createTestCertificates(names: readonly string[] = []): Promise<TlsFiles> {
  const dir = await makeTempDir('tls-');
  const file = (name: string): string => join(dir, name);
  try {
    await run('openssl', [
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      file('ca-key.pem'),
      '-out',
      file('ca.crt'),
      '-days',
      DAYS,
      '-subj',
      '/CN=image-push test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await run('openssl', [
      'req',
      ...EC_KEY,
      '-keyout',
      file('server-key.pem'),
      '-out',
      file('server.csr'),
      '-subj',
      '/CN=127.0.0.1',
    ]);
    // Go verifies names against the SANs only (never the CN), so the SANs carry every name a test may dial.
    await writeFile(
      file('server-ext.cnf'),
      [
        `subjectAltName = IP:127.0.0.1, IP:::1, DNS:localhost${names.map((n) => `, DNS:${n}`).join('')}`,
        'basicConstraints = critical, CA:FALSE',
        'keyUsage = critical, digitalSignature, keyEncipherment',
        'extendedKeyUsage = serverAuth',
        'subjectKeyIdentifier = hash',
        'authorityKeyIdentifier = keyid, issuer',
        '',
      ].join('\n'),
    );
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      file('server.csr'),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca-key.pem'),
      '-set_serial',
      `0x${Date.now().toString(16)}`,
      '-days',
      DAYS,
      '-extfile',
      file('server-ext.cnf'),
      '-out',
      file('server-cert.pem'),
    ]);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    dir,
    caPath: file('ca.crt'),
    certPath: file('server-cert.pem'),
    keyPath: file('server-key.pem'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * A client certificate signed by the CA of `tls`, with ca.pem, cert.pem and key.pem in a new dir: the layout the
 * docker CLI reads from DOCKER_CERT_PATH (for a dockerd started with --tlsverify).
 */
export async function createClientCertificates(tls: TlsFiles): Promise<string> {
  const dir = await makeTempDir('tls-client-');
  const file = (name: string): string => join(dir, name);
  await run('openssl', [
    'req',
    ...EC_KEY,
    '-keyout',
    file('key.pem'),
    '-out',
    file('client.csr'),
    '-subj',
    '/CN=client',
  ]);
  await writeFile(
    file('client-ext.cnf'),
    'extendedKeyUsage = clientAuth\nbasicConstraints = critical, CA:FALSE\n',
  );
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    file('client.csr'),
    '-CA',
    tls.caPath,
    '-CAkey',
    join(tls.dir, 'ca-key.pem'),
    '-set_serial',
    `0x${(Date.now() + 1).toString(16)}`,
    '-days',
    DAYS,
    '-extfile',
    file('client-ext.cnf'),
    '-out',
    file('cert.pem'),
  ]);
  await writeFile(file('ca.pem'), await readFile(tls.caPath));
  return dir;
}

import { localBlobMapPath } from '../cache/blob-map-store.ts';
import { DEFAULT_COMPRESSION_LEVEL, DEFAULT_CONCURRENCY } from '../options.ts';
import { DEFAULT_RETRIES, DEFAULT_RETRY_TIMEOUT_SECONDS } from '../registry/transport/retry-policy.ts';
import { EXIT_CODES_HELP } from './exit-codes.ts';

/** --help: every option args.ts reads, and the exit codes. */
export function usage(): string {
  return `usage: image-push push SOURCE DESTINATION... [options]
       image-push merge DESTINATION... --source REF --source REF... [options]

push: SOURCE is oci:PATH[:NAME], oci-archive:PATH[:NAME], docker-archive:PATH[:REF], docker-daemon:NAME[:TAG],
a bare image name (the Docker daemon) or docker://REGISTRY/REPO[:TAG|@DIGEST] (a copy from a registry, digest
kept); each DESTINATION is an image reference (ghcr.io/org/app:1.0).
merge: combines images already in a registry (REF is registry/repo@sha256:...) into one index under the
DESTINATIONs, mounting blobs across repositories. Both print the pushed manifest's digest.

options:
  --registry REGISTRY        registry for destinations that name none
  --username USER            with the password from IMAGE_PUSH_PASSWORD or --password-stdin (both or neither;
                             neither: the Docker config and its credential helpers)
  --password-stdin           read the password from standard input
  --source-username USER     for a docker:// SOURCE, with the password from IMAGE_PUSH_SOURCE_PASSWORD
                             (or --source-password, which other users of the machine can see in ps)
  --concurrency N            registry requests at once (default ${DEFAULT_CONCURRENCY})
  --compression gzip|zstd    how to compress uncompressed layers (default gzip)
  --compression-level N      gzip 1-9 (default ${DEFAULT_COMPRESSION_LEVEL}) or zstd 1-19 (default 3)
  --push-by-digest           push without moving any tag
  --verify                   check every layer against the config's diff_ids before any tag moves
                             (decompresses each layer read from the source: ~1 s per GB of gzip)
  --platform OS/ARCH[/VAR]   push only this platform of an index; repeatable
  --reuse-from REF           a tag (in each destination repository) or same-registry reference holding a
                             previous version whose layers may be reused; repeatable
  --no-overwrite             fail before any upload if a destination tag holds another image
  --chunk-size SIZE          upload in chunks (64MiB); default one request per blob, chunks after a 413
  --retries N                retries of a failed request or upload (default ${DEFAULT_RETRIES})
  --retry-timeout SECONDS    no new retry, and fail after this long without progress (default ${DEFAULT_RETRY_TIMEOUT_SECONDS})
  --ca-file FILE             PEM CA to trust for the registry's certificate
  --blob-map FILE            where to remember compressed layers (default ${localBlobMapPath()})
  --no-blob-map              neither read nor write the blob map
  --insecure-registry HOST   allow plain HTTP or unverified TLS to HOST[:PORT]; repeatable
  --digest-file FILE         also write the pushed manifest's digest to FILE
  --json                     print the whole result as JSON
  -q, --quiet                log nothing but the error line
  --verbose, --debug         also log debug lines: where credentials came from, mounts a registry declined,
                             manifests that could not be read for reuse, upload sessions cancelled (the same
                             as setting IMAGE_PUSH_DEBUG to any value)
  -v, --version              print the version
  -h, --help                 print this

${EXIT_CODES_HELP}`;
}

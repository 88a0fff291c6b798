import { notePartial } from './result.ts';
import { openSession, type ConnectionOptions, type PushSession } from './session.ts';
import { Writer, type WriterOptions } from './writer.ts';

export interface WithWriterOptions extends ConnectionOptions {
  /** The writer's settings besides the session's limiter and the logger. */
  readonly writer?: Omit<WriterOptions, 'limit' | 'logger'>;
}

/**
 * The lifecycle every planner shares: opens the session, gives `fn` a writer over it, and whatever `fn`
 * does, settles every started write before the connections close. A failure carries what went up before
 * it (notePartial), for the failure summary.
 */
export async function withWriter<T>(
  options: WithWriterOptions,
  fn: (session: PushSession, writer: Writer) => Promise<T>,
): Promise<T> {
  let session: PushSession | undefined;
  let writer: Writer | undefined;
  try {
    session = await openSession(options);
    writer = new Writer({ ...options.writer, limit: session.limit, logger: options.logger });
    return await fn(session, writer);
  } catch (err) {
    await writer?.drain();
    if (writer) notePartial(err, writer.reports);
    throw err;
  } finally {
    // A failed push may leave writes in flight: none may run against a closing connection.
    await writer?.drain();
    await session?.close();
  }
}

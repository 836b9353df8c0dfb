/**
 * The framing of the client's messages (`Content-Length: N`, a blank line, N bytes), checked as
 * they pass to the protocol library's reader unchanged. That reader takes `Content-Length: abc`
 * as an error it only emits, and `-5` as a length; either way it then reads nothing more and says
 * nothing until standard input closes. A stream whose next frame has no length cannot be read
 * further: the check says why, once, and passes nothing more on.
 */
import { Transform } from 'node:stream';

/** Longer than any header block a client sends: a block without its blank line is refused past it. */
export const MAX_HEADER_BYTES = 8 * 1024;

/** Pass `input` on, calling `onBadFrame` (once) with why a frame's header cannot be read. */
export function checkFrames(input: NodeJS.ReadableStream, onBadFrame: (why: string) => void): NodeJS.ReadableStream {
  /** body bytes of the current frame still to pass; -1 inside a header block */
  let body = -1;
  let header = '';
  let stopped = false;
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (stopped) return done();
      let at = 0;
      while (at < chunk.length) {
        if (body >= 0) {
          const n = Math.min(body, chunk.length - at);
          body -= n;
          at += n;
          if (body === 0) body = -1;
          continue;
        }
        // the header block, up to its blank line (ASCII: bytes are characters)
        const end = chunk.indexOf('\r\n\r\n', at, 'latin1');
        const seen = header.length;
        // the blank line may begin in the part kept from earlier chunks
        const joined = header + chunk.toString('latin1', at, end < 0 ? chunk.length : end + 4);
        const blank = joined.indexOf('\r\n\r\n', Math.max(0, seen - 3));
        if (blank < 0) {
          header = joined;
          at = chunk.length;
          if (header.length > MAX_HEADER_BYTES) return stop(`a header of more than ${MAX_HEADER_BYTES} bytes without the blank line that ends it`, done);
          continue;
        }
        const why = badLength(joined.slice(0, blank));
        if (why) return stop(why, done);
        body = parseInt(lengthOf(joined.slice(0, blank))!);
        if (body === 0) body = -1;
        at += blank + 4 - seen;
        header = '';
      }
      done(null, chunk);
    },
  });
  const stop = (why: string, done: () => void) => {
    stopped = true;
    done();
    onBadFrame(why);
  };
  input.pipe(check);
  return check;
}

/**
 * The Content-Length value of a header block, as the library reads it: keys in any case but not
 * trimmed (` Content-Length` is another key), values trimmed, the last of a key repeated.
 */
function lengthOf(block: string): string | undefined {
  let value: string | undefined;
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon >= 0 && line.slice(0, colon).toLowerCase() === 'content-length') value = line.slice(colon + 1).trim();
  }
  return value;
}

/** Why the library cannot read a header block (null when it can): no `key: value` line, no length, a length that is no count of bytes. */
function badLength(block: string): string | null {
  const noColon = block.split('\r\n').find((line) => !line.includes(':'));
  if (noColon !== undefined) return `a header line without ":" (${JSON.stringify(noColon.slice(0, 40))})`;
  const value = lengthOf(block);
  if (value === undefined) return 'a header without Content-Length';
  const n = parseInt(value);
  if (Number.isNaN(n) || n < 0) return `Content-Length ${JSON.stringify(value.slice(0, 40))}, which is no count of bytes`;
  return null;
}

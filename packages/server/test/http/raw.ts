import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: any;
  text: string;
  /** The server closed the connection after answering. */
  closed: boolean;
}

/**
 * Sends bytes exactly as given to a loopback server and reads one answer: for requests fetch()
 * refuses to build (bad bytes, huge or dribbled headers). `chunks` are written `gapMs` apart.
 */
export function raw(base: string, chunks: (string | Buffer)[], gapMs = 0, waitMs = 20_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const received: Buffer[] = [];
    let settled = false;
    const timer = setTimeout(() => finish(new Error(`no complete answer within ${waitMs} ms`)), waitMs);
    const finish = (error?: Error, closed = false) => {
      if (settled) return;
      const text = Buffer.concat(received).toString('utf8');
      const head = text.split('\r\n\r\n')[0] ?? '';
      const body = text.slice(head.length + 4);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (!error && !closed && (!length || Buffer.byteLength(body) < Number(length[1]))) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) return reject(error);
      const [statusLine, ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const at = line.indexOf(':');
        if (at > 0) headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {}
      resolve({ status: Number(statusLine?.split(' ')[1]), headers, body: parsed, text: body, closed });
    };
    socket.on('data', (d) => {
      received.push(d);
      finish();
    });
    socket.on('end', () => finish(undefined, true));
    socket.on('close', () => finish(undefined, true));
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? finish(undefined, true) : finish(e)));
    const send = async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (i > 0 && gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
        if (socket.destroyed) return;
        socket.write(chunk);
      }
    };
    socket.on('connect', () => void send());
  });
}

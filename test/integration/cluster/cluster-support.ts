import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An ActivityPub inbox stand-in that counts what it receives by the activity's `id`, and can hold
 * answers: `hold(id => boolean)` keeps matching requests open until `release()` (or forever).
 */
export async function startCountingInbox() {
  const received = new Map<string, number>();
  const held: Array<{ id: string; res: ServerResponse }> = [];
  let open = 0;
  let maxOpen = 0;
  let holding: ((id: string) => boolean) | null = null;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let id = '?';
      try {
        id = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: unknown }).id);
      } catch {
        // counted under '?'
      }
      received.set(id, (received.get(id) ?? 0) + 1);
      open += 1;
      maxOpen = Math.max(maxOpen, open);
      res.on('close', () => (open -= 1));
      if (holding?.(id)) held.push({ id, res });
      else res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/inbox`;
  return {
    url,
    received,
    get open() {
      return open;
    },
    get maxOpen() {
      return maxOpen;
    },
    hold(rule: ((id: string) => boolean) | null) {
      holding = rule;
    },
    /** Answers the held requests (those matching `which`, or all). */
    release(which: (id: string) => boolean = () => true) {
      for (const entry of held.filter((h) => which(h.id))) {
        held.splice(held.indexOf(entry), 1);
        if (!entry.res.destroyed) entry.res.writeHead(202).end();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const h of held.splice(0)) h.res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

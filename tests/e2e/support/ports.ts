/** Free loopback ports for tests, so runs never collide with a running command center. */
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A block of `size` consecutive ports starting at a random offset in [base, base+span). */
export function portBlock(base: number, span: number, size: number): { min: number; max: number } {
  const min = base + Math.floor(Math.random() * (span - size));
  return { min, max: min + size - 1 };
}

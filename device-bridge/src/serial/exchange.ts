/** One command at a time on a serial line: send, then wait for the reply a matcher accepts, or time out. */

export type Matcher<T> = (input: T) => 'done' | 'error' | 'ignore';

export class Exchange<T> {
  private chain: Promise<unknown> = Promise.resolve();
  private waiting: { matcher: Matcher<T>; resolve: (ok: boolean) => void; timer: NodeJS.Timeout } | undefined;

  constructor(private readonly timeoutMs: number) {}

  /** Feed every parsed reply here. */
  offer(input: T): void {
    const waiting = this.waiting;
    if (!waiting) return;
    const verdict = waiting.matcher(input);
    if (verdict === 'ignore') return;
    clearTimeout(waiting.timer);
    this.waiting = undefined;
    waiting.resolve(verdict === 'done');
  }

  /** Sends and waits; resolves true on success, false on an error reply or timeout. */
  run(send: () => Promise<void>, matcher: Matcher<T>): Promise<boolean> {
    const next = this.chain.then(
      () =>
        new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => {
            this.waiting = undefined;
            resolve(false);
          }, this.timeoutMs);
          this.waiting = { matcher, resolve, timer };
          send().catch(() => {
            clearTimeout(timer);
            this.waiting = undefined;
            resolve(false);
          });
        }),
    );
    this.chain = next.catch(() => undefined);
    return next;
  }

  cancel(): void {
    if (!this.waiting) return;
    clearTimeout(this.waiting.timer);
    this.waiting.resolve(false);
    this.waiting = undefined;
  }
}

/** Owns things that must be closed (servers, sockets, timers, children) and closes them in reverse order. */
export type Disposer = () => void | Promise<void>;

export class DisposableStore {
  private readonly disposers: { name: string; dispose: Disposer }[] = [];
  private closed = false;

  add(name: string, dispose: Disposer): void {
    if (this.closed) {
      void dispose();
      return;
    }
    this.disposers.push({ name, dispose });
  }

  /** Closes everything, last added first; collects failures instead of stopping at the first. */
  async close(): Promise<Error[]> {
    this.closed = true;
    const failures: Error[] = [];
    while (this.disposers.length > 0) {
      const entry = this.disposers.pop();
      if (!entry) break;
      try {
        await entry.dispose();
      } catch (cause) {
        failures.push(new Error(`closing ${entry.name} failed`, { cause }));
      }
    }
    return failures;
  }

  get size(): number {
    return this.disposers.length;
  }
}

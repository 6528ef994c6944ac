/** Splits a byte stream into lines (a partial last line waits for the next chunk). */
export class LineSplitter {
  private rest = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    const text = this.rest + chunk.toString();
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    for (const line of lines) if (line.length > 0) this.onLine(line);
  }

  flush(): void {
    if (this.rest.length > 0) this.onLine(this.rest);
    this.rest = '';
  }
}

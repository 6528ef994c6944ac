/**
 * In-process API calls for the demo: features owned by other modules (督办, 事项委托) are
 * created through their HTTP routes, with the same checks, audit entries and events as a
 * real user's. Sessions are opened once per user and closed at the end.
 */
import type { HubContext } from '../app/module.js';

export class DemoApi {
  private readonly tokens = new Map<string, string>();

  constructor(
    private readonly ctx: HubContext,
    private readonly password: string,
  ) {}

  async call<T>(username: string, method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> {
    let token = this.tokens.get(username);
    if (token === undefined) {
      token = this.ctx.auth.login(username, this.password, 'demo').token;
      this.tokens.set(username, token);
    }
    const response = await this.ctx.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    if (response.statusCode >= 300) throw new Error(`demo ${method} ${url} as ${username}: ${response.statusCode} ${response.body}`);
    return response.json<T>();
  }

  close(): void {
    for (const token of this.tokens.values()) this.ctx.auth.logout(token);
    this.tokens.clear();
  }
}

/** JSON calls to a hub under test, as the console makes them (bearer token, parsed answer). */
import { expect } from 'vitest';

export interface HubApi {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test glue: each test reads the fields it checks
  call(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>;
  /** Signs in and returns the session token (fails the test if the hub refuses). */
  login(username: string, password: string): Promise<string>;
}

/** `baseUrl` is read at each call: test files learn their hub's URL in `beforeAll`. */
export function hubApi(baseUrl: () => string): HubApi {
  const call: HubApi['call'] = async (method, path, body, token) => {
    const response = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const login: HubApi['login'] = async (username, password) => {
    const { status, body } = await call('POST', '/api/v1/auth/login', { username, password });
    expect(status).toBe(200);
    return body.token as string;
  };
  return { call, login };
}

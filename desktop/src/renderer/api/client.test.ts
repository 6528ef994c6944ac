import { describe, expect, it } from 'vitest';
import { fakeFetch } from '../testing/fakes';
import { ApiError, createApiClient } from './client';

describe('api client', () => {
  it('resolves paths against the base, sends JSON with the bearer token, and parses the answer', async () => {
    const fake = fakeFetch((r) => ({ status: 200, body: { echo: r.body } }));
    const client = createApiClient({
      baseUrl: 'http://hub.test/app/',
      token: () => 'tok',
      onUnauthorized: () => undefined,
      fetchImpl: fake.fetchImpl,
    });
    expect(await client.request('POST', '/api/v1/x', { a: 1 })).toEqual({ echo: { a: 1 } });
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/app/api/v1/x', authorization: 'Bearer tok' });
  });

  it('turns a wire error into an ApiError with code, both messages and details', async () => {
    const wire = {
      code: 'validation_failed',
      message: '数据校验未通过',
      messageEn: 'Validation failed',
      details: { unknownUnits: ['u9'] },
    };
    const client = createApiClient({
      baseUrl: 'http://hub.test/',
      token: () => null,
      onUnauthorized: () => undefined,
      fetchImpl: fakeFetch(() => ({ status: 400, body: { error: wire } })).fetchImpl,
    });
    const error = await client.request('GET', 'api/v1/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'validation_failed',
      messageZh: '数据校验未通过',
      messageEn: 'Validation failed',
      details: wire.details,
    });
  });

  it('reports a 401 on an authenticated call once, and a network failure as code network', async () => {
    let unauthorized = 0;
    const client = createApiClient({
      baseUrl: 'http://hub.test/',
      token: () => 'tok',
      onUnauthorized: () => (unauthorized += 1),
      fetchImpl: fakeFetch(() => ({ status: 401, body: { error: { code: 'unauthenticated', message: 'm', messageEn: 'e' } } })).fetchImpl,
    });
    await expect(client.request('GET', 'api/v1/x')).rejects.toMatchObject({ status: 401 });
    expect(unauthorized).toBe(1);
    const offline = createApiClient({
      baseUrl: 'http://hub.test/',
      token: () => 'tok',
      onUnauthorized: () => (unauthorized += 1),
      fetchImpl: fakeFetch(() => {
        throw new TypeError('fetch failed');
      }).fetchImpl,
    });
    await expect(offline.request('GET', 'api/v1/x')).rejects.toMatchObject({ status: 0, code: 'network', messageZh: '无法连接中心服务' });
    expect(unauthorized).toBe(1);
  });
});

import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeFetch, unauthenticated, type Route } from '../testing/fakes';
import { sessionDeps, useSessionStore } from './session';
import { memoryTokenStorage, type TokenStorage } from './session-storage';

const user = { id: 'p1', username: 'duty1', name: '王值班', role: 'duty_officer', court: null };

function setup(route: Route, storage: TokenStorage = memoryTokenStorage()) {
  const fake = fakeFetch(route);
  sessionDeps.baseUrl = () => 'http://hub.test/';
  sessionDeps.storage = () => storage;
  sessionDeps.fetchImpl = fake.fetchImpl;
  setActivePinia(createPinia());
  return { session: useSessionStore(), requests: fake.requests, storage };
}

const hub: Route = (r) => {
  if (r.path === '/api/v1/auth/login') {
    const body = r.body as { password: string };
    return body.password === 'right-pass'
      ? { status: 200, body: { token: 'tok-1', expiresAt: '2026-11-22T00:00:00Z', user } }
      : {
          status: 401,
          body: { error: { code: 'unauthenticated', message: '用户名或密码错误', messageEn: 'Wrong user name or password' } },
        };
  }
  if (r.path === '/api/v1/auth/me') return r.authorization === 'Bearer tok-1' ? { status: 200, body: user } : unauthenticated;
  if (r.path === '/api/v1/courts') return r.authorization === 'Bearer tok-1' ? { status: 200, body: { courts: [] } } : unauthenticated;
  if (r.path === '/api/v1/auth/logout') return { status: 200, body: {} };
  return undefined;
};

describe('session store', () => {
  beforeEach(() => {
    sessionDeps.fetchImpl = undefined;
  });

  it('signs in, keeps the token in its storage and sends it as a bearer on every call', async () => {
    const { session, requests, storage } = setup(hub);
    expect(session.state).toBe('signed_out');
    expect(await session.signIn('duty1', 'right-pass')).toBe(true);
    expect(session.state).toBe('signed_in');
    expect(session.displayName).toBe('王值班');
    expect(storage.get()).toBe('tok-1');
    await session.api.courts();
    expect(requests.at(-1)).toMatchObject({ path: '/api/v1/courts', authorization: 'Bearer tok-1' });
  });

  it('refuses a wrong password with both catalog messages and stores nothing', async () => {
    const { session, storage } = setup(hub);
    expect(await session.signIn('duty1', 'wrong')).toBe(false);
    expect(session.state).toBe('signed_out');
    expect(session.error?.messageZh).toBe('用户名或密码错误');
    expect(session.error?.messageEn).toBe('Wrong user name or password');
    expect(storage.get()).toBeNull();
    // A failed sign-in is not an expired session.
    expect(session.expired).toBe(false);
  });

  it('returns to sign-in when the hub answers 401 to a call, and forgets the token', async () => {
    let revoked = false;
    const { session, storage } = setup((r) => (revoked && r.path === '/api/v1/courts' ? unauthenticated : hub(r)));
    await session.signIn('duty1', 'right-pass');
    revoked = true;
    await expect(session.api.courts()).rejects.toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(session.state).toBe('signed_out');
    expect(session.expired).toBe(true);
    expect(storage.get()).toBeNull();
  });

  it('restores a stored token after a reload, and drops a stale one', async () => {
    const good = setup(hub, memoryTokenStorage('tok-1'));
    expect(good.session.state).toBe('restoring');
    await good.session.restore();
    expect(good.session.state).toBe('signed_in');
    expect(good.session.user?.username).toBe('duty1');

    const stale = setup(hub, memoryTokenStorage('old-token'));
    await stale.session.restore();
    expect(stale.session.state).toBe('signed_out');
    expect(stale.storage.get()).toBeNull();
  });

  it('signs out locally even when the hub cannot be reached', async () => {
    let down = false;
    const { session, storage } = setup((r) => {
      if (down) throw new Error('connection refused');
      return hub(r);
    });
    await session.signIn('duty1', 'right-pass');
    down = true;
    await session.signOut();
    expect(session.state).toBe('signed_out');
    expect(storage.get()).toBeNull();
  });
});

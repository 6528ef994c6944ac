/** Who is signed in (登录): the session token (sessionStorage), the principal, and the typed hub API that carries the token. */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Principal } from '@cc/protocol';
import { ApiError, createApiClient } from '../api/client';
import { hubApi } from '../api/hub';
import { browserTokenStorage, type TokenStorage } from './session-storage';

/** What the session store is built on; tests replace it before the store's first use. */
export const sessionDeps: { baseUrl: () => string; storage: () => TokenStorage; fetchImpl?: typeof fetch } = {
  baseUrl: () => (typeof document === 'undefined' ? 'http://127.0.0.1:8700/' : document.baseURI),
  storage: browserTokenStorage,
};

export type SessionState = 'signed_out' | 'restoring' | 'signed_in';

export const useSessionStore = defineStore('session', () => {
  const storage = sessionDeps.storage();
  const token = ref<string | null>(storage.get());
  const user = ref<Principal | null>(null);
  const state = ref<SessionState>(token.value ? 'restoring' : 'signed_out');
  const error = ref<ApiError | null>(null);
  /** Set when the hub ended the session (401), so the sign-in screen can say why. */
  const expired = ref(false);
  const busy = ref(false);

  function forget(): void {
    token.value = null;
    user.value = null;
    storage.set(null);
    state.value = 'signed_out';
  }

  function expire(): void {
    if (state.value === 'signed_out') return;
    forget();
    expired.value = true;
  }

  const api = hubApi(
    createApiClient({ baseUrl: sessionDeps.baseUrl(), token: () => token.value, onUnauthorized: expire, fetchImpl: sessionDeps.fetchImpl }),
  );

  async function signIn(username: string, password: string): Promise<boolean> {
    busy.value = true;
    error.value = null;
    try {
      const answer = await api.login(username, password);
      token.value = answer.token;
      user.value = answer.user;
      storage.set(answer.token);
      state.value = 'signed_in';
      expired.value = false;
      return true;
    } catch (e) {
      error.value = e instanceof ApiError ? e : new ApiError(0, { code: 'internal', message: String(e), messageEn: String(e) });
      return false;
    } finally {
      busy.value = false;
    }
  }

  /** After a reload: the stored token is checked with the hub (`/auth/me`); a 401 signs out, an unreachable hub is retried. */
  async function restore(retryMs = 3000): Promise<void> {
    if (!token.value) return;
    try {
      user.value = await api.me();
      state.value = 'signed_in';
    } catch (e) {
      if (e instanceof ApiError && e.status === 0) {
        setTimeout(() => void restore(retryMs), retryMs);
        return;
      }
      if (state.value !== 'signed_out') forget();
    }
  }

  /** Asks the hub whether the session still holds; a 401 signs out (through the client), anything else changes nothing. */
  async function verify(): Promise<void> {
    if (!token.value) return;
    try {
      user.value = await api.me();
    } catch {
      // Unreachable hub: the link shows it; the session stays.
    }
  }

  async function signOut(): Promise<void> {
    try {
      if (token.value) await api.logout();
    } catch {
      // Signing out locally is what matters; the hub's session expires by itself.
    }
    forget();
    expired.value = false;
  }

  const displayName = computed(() => user.value?.name ?? '');
  return { token, user, state, error, expired, busy, api, displayName, signIn, signOut, restore, verify, expire };
});

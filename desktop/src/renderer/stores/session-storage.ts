/** Where the session token lives: the tab's sessionStorage (gone when the window closes), or memory where there is none. */
export interface TokenStorage {
  get(): string | null;
  set(token: string | null): void;
}

const KEY = 'cc.session.token';

export function browserTokenStorage(): TokenStorage {
  if (typeof sessionStorage === 'undefined') return memoryTokenStorage();
  return {
    get: () => sessionStorage.getItem(KEY),
    set: (token) => (token === null ? sessionStorage.removeItem(KEY) : sessionStorage.setItem(KEY, token)),
  };
}

export function memoryTokenStorage(initial: string | null = null): TokenStorage {
  let value = initial;
  return {
    get: () => value,
    set: (token) => {
      value = token;
    },
  };
}

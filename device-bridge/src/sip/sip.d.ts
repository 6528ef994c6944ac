/** The part of the npm `sip` package (kirm, 0.0.6, untyped CommonJS) the bridge uses. */
declare module 'sip' {
  export interface SipUri {
    schema?: string;
    user?: string;
    password?: string;
    host: string;
    port?: number;
    params?: Record<string, string | null>;
    headers?: Record<string, string>;
  }
  export interface SipAddress {
    name?: string;
    uri: string;
    params: Record<string, string | null>;
  }
  export interface SipVia {
    version: string;
    protocol: string;
    host: string;
    port?: number;
    params: Record<string, string | number | null>;
  }
  /** Parsed auth header: quoted values keep their quotes. */
  export type SipAuthHeader = Record<string, string | undefined> & { scheme?: string };
  export interface SipHeaders {
    via?: SipVia[];
    to?: SipAddress;
    from?: SipAddress;
    'call-id'?: string;
    cseq?: { seq: number; method: string };
    contact?: SipAddress[] | '*';
    authorization?: SipAuthHeader[];
    'content-length'?: number;
    [name: string]: unknown;
  }
  export interface SipMessage {
    method?: string;
    uri?: string | SipUri;
    status?: number;
    reason?: string;
    version?: string;
    headers: SipHeaders;
    /** latin1 ("binary") string of the body's bytes. */
    content?: string;
  }
  export interface SipRemote {
    protocol: string;
    address: string;
    port: number;
    local?: { address: string; port: number };
  }
  export interface SipStackOptions {
    address?: string;
    port?: number;
    publicAddress?: string;
    udp?: boolean;
    tcp?: boolean;
    maxBytesHeaders?: number;
    maxContentLength?: number;
    logger?: {
      error?: (error: unknown) => void;
      recv?: (m: SipMessage, remote: SipRemote) => void;
      send?: (m: SipMessage, target: SipRemote) => void;
    };
  }
  export interface SipStack {
    send(message: SipMessage, onResponse?: (response: SipMessage) => void): void;
    destroy(): void;
    hostname(): string;
  }
  export function create(options: SipStackOptions, onRequest: (request: SipMessage, remote: SipRemote) => void): SipStack;
  export function makeResponse(
    request: SipMessage,
    status: number,
    reason?: string,
    extension?: { headers?: SipHeaders; content?: string },
  ): SipMessage;
  export function parse(data: Buffer | string): SipMessage | undefined;
  export function parseUri(uri: string | SipUri): SipUri | undefined;
  export function stringifyUri(uri: string | SipUri): string;
  export function stringify(message: SipMessage): string;
  const sip: {
    create: typeof create;
    makeResponse: typeof makeResponse;
    parse: typeof parse;
    parseUri: typeof parseUri;
    stringifyUri: typeof stringifyUri;
    stringify: typeof stringify;
  };
  export default sip;
}

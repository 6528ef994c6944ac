import { describe, expect, it } from 'vitest';
import { NonceIssuer, challengeHeader, digestResponse, md5, readCredentials, verifyDigest } from './digest.js';

// Test vector from the GB28181 reference (password 12345678).
const base = {
  username: '34020000001320000001',
  realm: '3402000000',
  nonce: '6fe9ba44a76be22a',
  uri: 'sip:34020000002000000001@3402000000',
  response: '6a2143ae65b119e276a75f0a4a8992b7',
};

describe('digest', () => {
  it('matches the reference vector without qop', () => {
    expect(md5('34020000001320000001:3402000000:12345678')).toBe('8258341d7dd730ce4d3b8fd2db050320');
    expect(digestResponse(base, 'REGISTER', '12345678')).toBe(base.response);
    expect(verifyDigest(base, 'REGISTER', '12345678')).toBe(true);
    expect(verifyDigest(base, 'REGISTER', 'wrong')).toBe(false);
  });

  it('matches the reference vector with qop=auth', () => {
    const withQop = { ...base, qop: 'auth', nc: '00000001', cnonce: '0a4f113b', response: 'fb6d2f768312116118c121c2608cf961' };
    expect(verifyDigest(withQop, 'REGISTER', '12345678')).toBe(true);
    expect(verifyDigest({ ...withQop, nc: '00000002' }, 'REGISTER', '12345678')).toBe(false);
    expect(verifyDigest({ ...withQop, qop: 'auth-int' }, 'REGISTER', '12345678')).toBe(false);
  });

  it('refuses other algorithms and reads quoted headers', () => {
    expect(verifyDigest({ ...base, algorithm: 'SHA-256' }, 'REGISTER', '12345678')).toBe(false);
    const parsed = readCredentials({
      scheme: 'Digest',
      username: '"a"',
      realm: '"r"',
      nonce: '"n"',
      uri: '"sip:x"',
      response: '"abc"',
      algorithm: 'MD5',
    });
    expect(parsed).toMatchObject({ username: 'a', realm: 'r', nonce: 'n', uri: 'sip:x', response: 'abc', algorithm: 'MD5' });
    expect(readCredentials({ scheme: 'Basic', username: 'a' })).toBeUndefined();
    expect(readCredentials({ scheme: 'Digest', username: '"a"' })).toBeUndefined();
  });

  it('issues nonces that expire and cannot be forged', () => {
    const issuer = new NonceIssuer(1000);
    const nonce = issuer.issue(10_000);
    expect(issuer.check(nonce, 10_500)).toBe('valid');
    expect(issuer.check(nonce, 12_000)).toBe('stale');
    // Change the signature's last character to a different one (a fixed replacement such as '0'
    // leaves the nonce unchanged whenever it already ends in '0').
    const forged = `${nonce.slice(0, -1)}${nonce.endsWith('0') ? '1' : '0'}`;
    expect(forged).not.toBe(nonce);
    expect(issuer.check(forged, 10_500)).toBe('invalid');
    expect(issuer.check('x', 10_500)).toBe('invalid');
    expect(challengeHeader('3402000000', 'abc', false)).toBe('Digest realm="3402000000", nonce="abc", algorithm=MD5');
    expect(challengeHeader('r', 'n', true)).toContain('qop="auth"');
  });
});

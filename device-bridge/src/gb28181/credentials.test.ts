import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '@cc/runtime';
import { md5, verifyDigest, type DigestCredentials } from '../sip/digest.js';
import { CredentialStore } from './credentials.js';
import { PROVISIONED_FILE_NAME, ProvisionedFile } from './provisioned-file.js';

const logger = createLogger('test', 'silent');
const REALM = '3402000000';
const CAM = '34020000001320000001';
const OTHER = '34020000001320000002';

/** A REGISTER digest as a device computes it from its password. */
function signed(deviceId: string, password: string): DigestCredentials {
  const uri = 'sip:34020000002000000001@3402000000';
  const ha1 = md5(`${deviceId}:${REALM}:${password}`);
  const response = md5(`${ha1}:abc:${md5(`REGISTER:${uri}`)}`);
  return { username: deviceId, realm: REALM, nonce: 'abc', uri, response };
}

describe('CredentialStore persisted in the data dir', () => {
  let dir: string;
  const store = (realm = REALM): CredentialStore =>
    new CredentialStore([{ deviceId: OTHER, kind: 'gb28181', password: 'file-pw' }], undefined, {
      file: new ProvisionedFile(dir, realm, logger),
      realm,
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cc-cred-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores HA1 instead of the password, and a new store (a restart) verifies the device with it', () => {
    store().provision({ deviceId: CAM, kind: 'gb28181', name: 'cam', password: 's3cret', mediaTransport: 'tcp_active' });
    expect(readFileSync(join(dir, PROVISIONED_FILE_NAME), 'utf8')).not.toContain('s3cret');
    const restarted = store();
    const account = restarted.passwordOf(CAM)!;
    expect(account.password).toBeUndefined();
    expect(verifyDigest(signed(CAM, 's3cret'), 'REGISTER', account.secret)).toBe(true);
    expect(verifyDigest(signed(CAM, 'guess'), 'REGISTER', account.secret)).toBe(false);
    expect(restarted.get(CAM)).toMatchObject({ name: 'cam', mediaTransport: 'tcp_active' });
  });

  it('remembers that a config-file device was removed; provisioning it again brings it back', () => {
    expect(store().remove(OTHER)).toBe(true);
    expect(store().passwordOf(OTHER)).toBeUndefined();
    store().provision({ deviceId: OTHER, kind: 'gb28181', password: 'again' });
    expect(verifyDigest(signed(OTHER, 'again'), 'REGISTER', store().passwordOf(OTHER)!.secret)).toBe(true);
    expect(store().remove('34020000001320000099')).toBe(false);
  });

  it('drops stored HA1s when the SIP domain (realm) changed', () => {
    store().provision({ deviceId: CAM, kind: 'gb28181', password: 's3cret' });
    const moved = store('3402000001');
    expect(moved.get(CAM)).toBeDefined();
    expect(moved.passwordOf(CAM)).toBeUndefined();
  });

  it('leaves everything as it was when the file cannot be written, and refuses to start on a corrupt file', () => {
    const s = store();
    s.provision({ deviceId: CAM, kind: 'gb28181', password: 'one' });
    // The temporary file's name taken by a directory: the write fails (also as root, unlike permissions).
    const blocker = join(dir, `${PROVISIONED_FILE_NAME}.${process.pid}.tmp`);
    mkdirSync(blocker);
    expect(() => s.provision({ deviceId: CAM, kind: 'gb28181', password: 'two' })).toThrow();
    expect(verifyDigest(signed(CAM, 'one'), 'REGISTER', s.passwordOf(CAM)!.secret)).toBe(true);
    expect(() => s.remove(OTHER)).toThrow();
    expect(s.get(OTHER)).toBeDefined();
    expect(verifyDigest(signed(CAM, 'one'), 'REGISTER', store().passwordOf(CAM)!.secret)).toBe(true);
    rmSync(blocker, { recursive: true });
    writeFileSync(join(dir, PROVISIONED_FILE_NAME), '{"version":1,"realm":"x","devices":[{"deviceId":"bad"}]}');
    expect(() => store()).toThrow(/bridge-provisioned-devices\.json/);
  });
});

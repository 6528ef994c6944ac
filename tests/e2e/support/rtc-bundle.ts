/** Bundles the browser test peer (mediasoup-client included) into one script with esbuild. */
import { join } from 'node:path';
import { build } from 'esbuild';

let cached: Promise<string> | undefined;

export function rtcPeerBundle(): Promise<string> {
  cached ??= build({
    entryPoints: [join(import.meta.dirname, 'rtc-peer.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]?.text ?? '');
  return cached;
}

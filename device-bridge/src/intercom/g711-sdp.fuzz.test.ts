/**
 * Fuzzing the intercom SDP reader: 100 000 mutated offers and answers (real baresip and
 * Grandstream-style bodies, our own offer). It either returns a usable G.711 stream or
 * throws `SdpError`, never anything else; what it returns is always well-formed.
 */
import { describe, expect, it } from 'vitest';
import { mutate, prng } from '../fuzz/mutate.js';
import { SdpError, g711Answer, g711Offer, parseRemoteAudio } from './g711-sdp.js';

const SEEDS = [
  g711Offer({ host: '10.0.0.8', port: 30000, sessionId: '1' }),
  'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 10012 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendrecv\r\n',
  'v=0\no=GS 8000 8001 IN IP4 192.168.1.20\ns=SIP Call\nc=IN IP4 192.168.1.20\nt=0 0\nm=audio 5004 RTP/AVP 0 8 18 101\na=sendrecv\na=rtpmap:0 PCMU/8000\na=rtpmap:18 G729/8000\na=ptime:20\nm=video 5006 RTP/AVP 99\n',
];

describe('fuzzing the intercom SDP reader', () => {
  it('reads 100 000 mutated SDP bodies: a G.711 stream or SdpError, nothing else', () => {
    const random = prng(2026);
    let usable = 0;
    const malformed: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const sdp = mutate(SEEDS[i % SEEDS.length]!, random);
      try {
        const audio = parseRemoteAudio(sdp);
        usable += 1;
        const answer = parseRemoteAudio(g711Answer({ host: '127.0.0.2', port: 30002, sessionId: '9' }, audio));
        // Our answer to whatever was accepted is itself readable, with the same codec.
        const ok =
          audio.port > 0 &&
          audio.port <= 65535 &&
          (audio.codec === 'PCMA' || audio.codec === 'PCMU') &&
          /^\d{1,3}(\.\d{1,3}){3}$/.test(audio.host) &&
          answer.codec === audio.codec;
        if (!ok) malformed.push(sdp);
      } catch (error) {
        if (!(error instanceof SdpError)) throw error;
      }
    }
    expect(malformed.slice(0, 3)).toEqual([]);
    expect(usable).toBeGreaterThan(1000);
  }, 60_000);
});

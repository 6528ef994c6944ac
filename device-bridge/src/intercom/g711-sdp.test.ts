import { describe, expect, it } from 'vitest';
import { SdpError, g711Answer, g711Offer, parseRemoteAudio } from './g711-sdp.js';

/** What baresip 1.0 answers to our offer (PCMA chosen, LF line ends tolerated below). */
const BARESIP_ANSWER = [
  'v=0',
  'o=- 1234 5678 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 10012 RTP/AVP 8 101',
  'b=AS:80',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=sendrecv',
  'a=label:1',
  'a=ssrc:12345 cname:x',
  'a=rtcp-rsize',
  '',
].join('\r\n');

describe('G.711 SDP for intercom calls', () => {
  it('offers PCMA, PCMU and telephone-event at 8000 Hz with ptime 20 on our RTP port', () => {
    const offer = g711Offer({ host: '10.1.2.3', port: 30010, sessionId: '42' });
    expect(offer).toContain('c=IN IP4 10.1.2.3');
    expect(offer).toContain('m=audio 30010 RTP/AVP 8 0 101');
    expect(offer).toContain('a=rtpmap:0 PCMU/8000');
    expect(offer).toContain('a=ptime:20');
    expect(offer.endsWith('\r\n')).toBe(true);
    // Our own offer read back as if it were the intercom's.
    expect(parseRemoteAudio(offer)).toEqual({
      host: '10.1.2.3',
      port: 30010,
      codec: 'PCMA',
      payloadType: 8,
      telephoneEventPt: 101,
      direction: 'sendrecv',
    });
  });

  it('reads a real answer, media-level c= over session-level, and the first G.711 in the peer’s order', () => {
    expect(parseRemoteAudio(BARESIP_ANSWER)).toMatchObject({ host: '127.0.0.1', port: 10012, codec: 'PCMA', payloadType: 8 });
    const pcmuFirst = BARESIP_ANSWER.replace('m=audio 10012 RTP/AVP 8 101', 'm=audio 4000 RTP/AVP 0 8')
      .replace('a=sendrecv', 'c=IN IP4 192.168.1.50\r\na=sendonly')
      .replace(/\r\n/g, '\n');
    expect(parseRemoteAudio(pcmuFirst)).toMatchObject({
      host: '192.168.1.50',
      port: 4000,
      codec: 'PCMU',
      payloadType: 0,
      direction: 'sendonly',
    });
  });

  it('answers an offer with the chosen codec and the mirrored direction', () => {
    const remote = parseRemoteAudio(BARESIP_ANSWER.replace('a=sendrecv', 'a=sendonly'));
    const answer = g711Answer({ host: '127.0.0.2', port: 30020, sessionId: '7' }, remote);
    expect(answer).toContain('m=audio 30020 RTP/AVP 8 101');
    expect(answer).toContain('a=recvonly');
    expect(answer).not.toContain('PCMU');
  });

  it.each([
    ['empty body', ''],
    ['no audio stream', 'v=0\r\nc=IN IP4 1.2.3.4\r\nm=video 5000 RTP/AVP 96\r\n'],
    ['refused stream', BARESIP_ANSWER.replace('m=audio 10012', 'm=audio 0')],
    ['only Opus', BARESIP_ANSWER.replace('RTP/AVP 8 101', 'RTP/AVP 111').replace('a=rtpmap:8 PCMA/8000', 'a=rtpmap:111 opus/48000/2')],
    ['PT 8 remapped to something else', BARESIP_ANSWER.replace('RTP/AVP 8 101', 'RTP/AVP 8').replace('PCMA/8000', 'G729/8000')],
    ['no address', BARESIP_ANSWER.replace('c=IN IP4 127.0.0.1\r\n', '')],
    ['IPv6', BARESIP_ANSWER.replace('c=IN IP4 127.0.0.1', 'c=IN IP6 ::1')],
    ['bad address', BARESIP_ANSWER.replace('c=IN IP4 127.0.0.1', 'c=IN IP4 999.1.1.1')],
    ['on hold', BARESIP_ANSWER.replace('c=IN IP4 127.0.0.1', 'c=IN IP4 0.0.0.0')],
    ['garbage port', BARESIP_ANSWER.replace('m=audio 10012', 'm=audio 99999')],
  ])('refuses an unusable SDP: %s', (_name, sdp) => {
    expect(() => parseRemoteAudio(sdp)).toThrow(SdpError);
  });
});

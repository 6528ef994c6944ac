import { describe, expect, it } from 'vitest';
import { MansrtspError, mansrtspFor, parseMansrtsp } from './mansrtsp.js';
import { offerSdp, parseAnswerSdp } from './sdp.js';

describe('MANSRTSP playback control', () => {
  it('writes PAUSE, resume, seek and speed as devices expect them (WVP form)', () => {
    expect(mansrtspFor({ action: 'pause' }, 3)).toBe('PAUSE RTSP/1.0\r\nCSeq: 3\r\nPauseTime: now\r\n\r\n');
    expect(mansrtspFor({ action: 'resume' }, 4)).toBe('PLAY RTSP/1.0\r\nCSeq: 4\r\nRange: npt=now-\r\n\r\n');
    expect(mansrtspFor({ action: 'seek', offsetS: 120 }, 5)).toBe('PLAY RTSP/1.0\r\nCSeq: 5\r\nRange: npt=120-\r\n\r\n');
    expect(mansrtspFor({ action: 'speed', scale: 2 }, 6)).toBe('PLAY RTSP/1.0\r\nCSeq: 6\r\nScale: 2.000000\r\n\r\n');
  });

  it('reads its own output, the MANSRTSP/1.0 token and LF-only lines', () => {
    expect(parseMansrtsp(mansrtspFor({ action: 'seek', offsetS: 90.5 }, 7))).toEqual({ method: 'PLAY', cseq: 7, rangeStart: 90.5 });
    expect(parseMansrtsp('PLAY MANSRTSP/1.0\nCSeq: 8\nScale: 0.25\n')).toEqual({ method: 'PLAY', cseq: 8, scale: 0.25 });
    expect(parseMansrtsp('PAUSE RTSP/1.0\r\nCSeq: 1\r\nPauseTime: now\r\n\r\n').method).toBe('PAUSE');
  });

  it('refuses malformed control with MansrtspError', () => {
    for (const bad of [
      '',
      'JUMP RTSP/1.0\r\nCSeq: 1\r\n',
      'PLAY RTSP/2.0\r\nCSeq: 1\r\n',
      'PLAY RTSP/1.0\r\n',
      'PLAY RTSP/1.0\r\nCSeq: x\r\n',
      'PLAY RTSP/1.0\r\nCSeq: 1\r\nRange: clock=20261121T080000Z-\r\n',
      'PLAY RTSP/1.0\r\nCSeq: 1\r\nScale: 8\r\n',
      'PLAY RTSP/1.0\r\nCSeq: 1\r\nScale: -1\r\n',
      'PLAY RTSP/1.0\r\nCSeq: 1\r\nno colon here\r\n',
      `PLAY RTSP/1.0\r\nCSeq: 1\r\nX: ${'a'.repeat(3000)}\r\n`,
    ])
      expect(() => parseMansrtsp(bad), bad.slice(0, 30)).toThrow(MansrtspError);
  });
});

describe('GB/T 28181 SDP for TCP media and downloads', () => {
  it('offers TCP-passive / TCP-active with a=connection:new, and Download with its speed', () => {
    const base = { sipId: '34020000002000000001', host: '10.0.0.1', port: 30000, ssrc: '1200000001', channelId: '34020000001310000001' };
    const passive = offerSdp({ ...base, mode: 'live', transport: 'tcp_passive' });
    expect(passive).toContain('m=video 30000 TCP/RTP/AVP 96 97 98');
    expect(passive).toMatch(/a=setup:passive\r\na=connection:new\r\ny=1200000001/);
    expect(offerSdp({ ...base, mode: 'live', transport: 'tcp_active' })).toContain('a=setup:active');
    const download = offerSdp({ ...base, mode: 'download', transport: 'udp', start: 100, end: 200, downloadSpeed: 4 });
    expect(download).toMatch(/s=Download\r\nu=34020000001310000001:0\r\n/);
    expect(download).toContain('t=100 200');
    expect(download).toContain('a=downloadspeed:4');
  });

  it("reads the device's TCP answer (setup role, port) and a download's file size", () => {
    const answer = parseAnswerSdp(
      'v=0\nc=IN IP4 10.0.0.9\nm=video 9724 TCP/RTP/AVP 96\na=setup:PASSIVE\na=filesize:1048576\ny=1200000001\n',
    );
    expect(answer).toEqual({ host: '10.0.0.9', port: 9724, transport: 'tcp', setup: 'passive', fileSize: 1048576, ssrc: 1200000001 });
  });
});

import { describe, expect, it } from 'vitest';
import { buildAction } from './useIncidentActions';

const input = { text: '', unitIds: [] as string[], deviceId: '' };

describe('buildAction', () => {
  it('builds each action the hub accepts, trimming the text', () => {
    expect(buildAction('acknowledge', input)).toEqual({ kind: 'acknowledge', note: '' });
    expect(buildAction('note', { ...input, text: '  已联系  ' })).toEqual({ kind: 'note', note: '已联系' });
    expect(buildAction('dispatch', { ...input, unitIds: ['u1'] })).toEqual({ kind: 'dispatch', unitIds: ['u1'], note: '' });
    expect(buildAction('video_opened', { ...input, deviceId: 'd1' })).toEqual({ kind: 'video_opened', deviceId: 'd1', note: '' });
    expect(buildAction('call_made', { ...input, text: '海淀一组' })).toEqual({ kind: 'call_made', target: '海淀一组', note: '' });
    expect(buildAction('close', { ...input, text: '已处置' })).toEqual({ kind: 'close', result: '已处置' });
  });

  it('gives nothing to send while a required input is missing', () => {
    expect(buildAction('note', { ...input, text: '   ' })).toBeUndefined();
    expect(buildAction('dispatch', input)).toBeUndefined();
    expect(buildAction('video_opened', input)).toBeUndefined();
    expect(buildAction('call_made', input)).toBeUndefined();
    expect(buildAction('close', input)).toBeUndefined();
  });
});

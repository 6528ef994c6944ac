import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { ManscdpError } from './decode.js';
import { alarmResponseBody, manscdpBody } from './encode.js';
import { parseManscdp } from './messages.js';

const gbk = (xml: string): string => iconv.encode(xml, 'gb18030').toString('latin1');

describe('parseManscdp', () => {
  it('reads the verbatim Hikvision keepalive (LF line ends, no encoding)', () => {
    const body =
      '<?xml version="1.0" encoding="GB2312"?>\n<Notify>\n<CmdType>Keepalive</CmdType>\n<SN>42</SN>\n<DeviceID>34020000002000000719</DeviceID>\n<Status>OK</Status>\n<Info>\n</Info>\n</Notify>\n';
    expect(Buffer.byteLength(body)).toBe(177);
    expect(parseManscdp(body)).toEqual({ root: 'Notify', sn: 42, deviceId: '34020000002000000719', kind: 'keepalive', ok: true });
  });

  it('decodes GB18030 catalog names, including characters outside GB2312', () => {
    const xml = `<?xml version="1.0" encoding="GB2312"?><Response><CmdType>Catalog</CmdType><SN>1708</SN><DeviceID>34020000001320000001</DeviceID><SumNum>2</SumNum><DeviceList Num="1"><Item><DeviceID>34020000001310000001</DeviceID><Name>执法记录仪01 萳</Name><ParentID>34020000001320000001</ParentID><Parental>0</Parental><Status>ON</Status><Longitude>116.397128</Longitude><Latitude>39.916527</Latitude><Info><PTZType>1</PTZType></Info></Item></DeviceList></Response>`;
    const message = parseManscdp(gbk(xml));
    expect(message.kind).toBe('catalog');
    if (message.kind !== 'catalog') return;
    expect(message.sumNum).toBe(2);
    expect(message.channels).toEqual([
      expect.objectContaining({
        channelId: '34020000001310000001',
        name: '执法记录仪01 萳',
        status: 'on',
        parental: false,
        ptzType: 1,
        position: { longitude: 116.397128, latitude: 39.916527 },
      }),
    ]);
  });

  it('decodes UTF-8 bodies even when they declare GB2312', () => {
    const xml = `<?xml version="1.0" encoding="GB2312"?><Response><CmdType>DeviceInfo</CmdType><SN>3</SN><DeviceID>34020000001320000001</DeviceID><DeviceName>南门</DeviceName><Channel>4</Channel></Response>`;
    expect(parseManscdp(Buffer.from(xml, 'utf8'))).toMatchObject({ kind: 'deviceInfo', name: '南门', channelCount: 4 });
  });

  it('reads an SOS alarm with position and AlarmType under Info', () => {
    const xml = `<Notify><CmdType>Alarm</CmdType><SN>2</SN><DeviceID>34020000001340000001</DeviceID><AlarmPriority>1</AlarmPriority><AlarmMethod>2</AlarmMethod><AlarmTime>2023-10-20T09:19:12</AlarmTime><AlarmDescription>SOS &amp; help</AlarmDescription><Longitude>116.397128</Longitude><Latitude>39.916527</Latitude><Info><AlarmType>2</AlarmType></Info></Notify>`;
    expect(parseManscdp(xml)).toMatchObject({
      kind: 'alarm',
      priority: 1,
      method: 2,
      alarmType: 2,
      description: 'SOS & help',
      position: { longitude: 116.397128, latitude: 39.916527 },
    });
  });

  it('repairs a bare & and reads MobilePosition', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><Notify><CmdType>MobilePosition</CmdType><SN>7</SN><DeviceID>34020000001320000001</DeviceID><Time>2026-11-21T20:48:31</Time><Longitude>116.1</Longitude><Latitude>39.9</Latitude><Speed>36.0</Speed><Direction>90</Direction><Extra>a & b</Extra></Notify>`;
    expect(parseManscdp(xml)).toMatchObject({
      kind: 'mobilePosition',
      position: { deviceId: '34020000001320000001', longitude: 116.1, latitude: 39.9, speedKmh: 36, directionDeg: 90 },
    });
  });

  it('refuses DOCTYPE, bad ids, missing SN, foreign roots and malformed XML with a reason', () => {
    const reason = (body: string): string | undefined => {
      try {
        parseManscdp(body);
        return undefined;
      } catch (error) {
        return error instanceof ManscdpError ? error.reason : 'crash';
      }
    };
    expect(
      reason(
        '<!DOCTYPE x [<!ENTITY a "b">]><Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>34020000001320000001</DeviceID></Notify>',
      ),
    ).toBe('doctype');
    expect(reason('<Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>123</DeviceID></Notify>')).toBe('invalid');
    expect(reason('<Notify><CmdType>Keepalive</CmdType><DeviceID>34020000001320000001</DeviceID></Notify>')).toBe('invalid');
    expect(reason('<Foo><CmdType>Keepalive</CmdType></Foo>')).toBe('unsupported');
    expect(reason('<Notify><CmdType>Keepalive</CmdType><SN>1</Notify>')).toBe('malformed');
    expect(reason('x'.repeat(70_000))).toBe('too_large');
  });

  it('round-trips what the bridge encodes', () => {
    expect(parseManscdp(alarmResponseBody(2, '34020000001340000001'))).toMatchObject({ root: 'Response', kind: 'alarm', sn: 2 });
    expect(parseManscdp(manscdpBody('Query', 'Catalog', 9, '34020000001320000001'))).toMatchObject({
      root: 'Query',
      kind: 'catalog',
      sn: 9,
    });
  });
});

/** MANSCDP bodies the bridge sends (queries, controls, the Alarm answer), as GB18030 bytes in a latin1 string for the `sip` package. */
import iconv from 'iconv-lite';

const escape = (value: string): string => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `<Root><CmdType/><SN/><DeviceID/>…extra</Root>` with the GB2312 declaration devices expect. */
export function manscdpBody(
  root: 'Query' | 'Control' | 'Notify' | 'Response',
  cmdType: string,
  sn: number,
  deviceId: string,
  extra: Record<string, string | number> = {},
): string {
  const lines = [
    `<?xml version="1.0" encoding="GB2312"?>`,
    `<${root}>`,
    `<CmdType>${cmdType}</CmdType>`,
    `<SN>${sn}</SN>`,
    `<DeviceID>${deviceId}</DeviceID>`,
  ];
  for (const [name, value] of Object.entries(extra)) lines.push(`<${name}>${escape(String(value))}</${name}>`);
  lines.push(`</${root}>`, '');
  return iconv.encode(lines.join('\r\n'), 'gb18030').toString('latin1');
}

/** The business-level answer to an Alarm notification (200 OK alone is not enough for many devices). */
export const alarmResponseBody = (sn: number, deviceId: string): string => manscdpBody('Response', 'Alarm', sn, deviceId, { Result: 'OK' });

/** PTZ control: `<PTZCmd>` plus `<Info><ControlPriority>`. */
export function ptzControlBody(sn: number, channelId: string, ptzCmd: string): string {
  const xml = [
    `<?xml version="1.0" encoding="GB2312"?>`,
    `<Control>`,
    `<CmdType>DeviceControl</CmdType>`,
    `<SN>${sn}</SN>`,
    `<DeviceID>${channelId}</DeviceID>`,
    `<PTZCmd>${ptzCmd}</PTZCmd>`,
    `<Info>`,
    `<ControlPriority>5</ControlPriority>`,
    `</Info>`,
    `</Control>`,
    '',
  ].join('\r\n');
  return Buffer.from(xml, 'utf8').toString('latin1');
}

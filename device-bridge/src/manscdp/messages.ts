/**
 * MANSCDP messages a device sends us, from XML tree to typed values: Keepalive, Catalog
 * (answer or notification), DeviceInfo, DeviceStatus, Alarm, MobilePosition, RecordInfo.
 * Anything else is returned as `other` with its root, CmdType and SN.
 */
import type { CatalogChannel, MobilePosition, RecordSegment } from '@cc/protocol';
import { ManscdpError, decodeBody, parseXml, type XmlObject } from './decode.js';
import { child, float, gbId, int, items, position, required, text } from './fields.js';

const ROOTS = { query: 'Query', control: 'Control', notify: 'Notify', response: 'Response' } as const;
export type ManscdpRoot = (typeof ROOTS)[keyof typeof ROOTS];

interface Common {
  root: ManscdpRoot;
  sn: number;
  deviceId: string;
}

export type ManscdpMessage =
  | (Common & { kind: 'keepalive'; ok: boolean })
  | (Common & { kind: 'catalog'; sumNum: number; channels: CatalogChannel[] })
  | (Common & { kind: 'deviceInfo'; name?: string; manufacturer?: string; model?: string; firmware?: string; channelCount?: number })
  | (Common & { kind: 'deviceStatus'; online: boolean; ok: boolean; encode?: boolean; record?: boolean; deviceTime?: string })
  | (Common & {
      kind: 'alarm';
      priority: number;
      method: number;
      alarmType?: number;
      time?: string;
      description?: string;
      position?: { longitude: number; latitude: number };
    })
  | (Common & { kind: 'mobilePosition'; position: MobilePosition })
  | (Common & { kind: 'recordInfo'; sumNum: number; records: RecordSegment[] })
  | (Common & { kind: 'other'; cmdType: string; result?: string });

/** Parses a MESSAGE/NOTIFY body (latin1 string from the `sip` package, or bytes). Throws ManscdpError. */
export function parseManscdp(body: string | Buffer): ManscdpMessage {
  const { root: rootTag, body: node } = parseXml(decodeBody(body));
  const root = ROOTS[rootTag as keyof typeof ROOTS];
  if (!root) throw new ManscdpError('unsupported', `unsupported root element <${rootTag}>`);
  const cmdType = required(text(node, 'cmdtype', 64), 'CmdType');
  const common: Common = { root, sn: required(int(node, 'sn'), 'SN'), deviceId: gbId(node) };
  const reader = readers[cmdType.toLowerCase()];
  return reader ? reader(node, common) : { ...common, kind: 'other', cmdType, result: text(node, 'result', 16) };
}

type Reader = (node: XmlObject, common: Common) => ManscdpMessage;

const isOn = (value: string | undefined): boolean => value !== undefined && /^(ON|ONLINE|OK)$/i.test(value);
const onOff = (value: string | undefined): boolean | undefined => (value === undefined ? undefined : isOn(value));

const readers: Record<string, Reader> = {
  keepalive: (node, common) => ({ ...common, kind: 'keepalive', ok: text(node, 'status', 16)?.toUpperCase() !== 'ERROR' }),
  catalog: (node, common) => {
    const list = child(node, 'devicelist');
    return { ...common, kind: 'catalog', sumNum: int(node, 'sumnum') ?? 0, channels: items(list).slice(0, 10_000).flatMap(readChannel) };
  },
  deviceinfo: (node, common) => ({
    ...common,
    kind: 'deviceInfo',
    name: text(node, 'devicename'),
    manufacturer: text(node, 'manufacturer', 128),
    model: text(node, 'model', 128),
    firmware: text(node, 'firmware', 128),
    channelCount: int(node, 'channel', 0, 100_000),
  }),
  devicestatus: (node, common) => ({
    ...common,
    kind: 'deviceStatus',
    online: isOn(text(node, 'online', 16)),
    ok: text(node, 'status', 16)?.toUpperCase() !== 'ERROR',
    encode: onOff(text(node, 'encode', 8)),
    record: onOff(text(node, 'record', 8)),
    deviceTime: text(node, 'devicetime', 32),
  }),
  alarm: (node, common) => {
    const info = child(node, 'info');
    return {
      ...common,
      kind: 'alarm',
      priority: int(node, 'alarmpriority', 1, 4) ?? 4,
      method: int(node, 'alarmmethod', 1, 7) ?? 7,
      alarmType: (info && int(info, 'alarmtype', 0, 999)) ?? int(node, 'alarmtype', 0, 999),
      time: text(node, 'alarmtime', 32),
      description: text(node, 'alarmdescription', 1024),
      position: position(node),
    };
  },
  mobileposition: (node, common) => {
    const where = required(position(node), 'Longitude/Latitude');
    return {
      ...common,
      kind: 'mobilePosition',
      position: {
        deviceId: common.deviceId,
        time: text(node, 'time', 32) ?? localTime(new Date()),
        ...where,
        speedKmh: float(node, 'speed', 0, 2000),
        directionDeg: float(node, 'direction', 0, 360),
        altitudeM: float(node, 'altitude', -1000, 100_000),
      },
    };
  },
  recordinfo: (node, common) => ({
    ...common,
    kind: 'recordInfo',
    sumNum: int(node, 'sumnum') ?? 0,
    records: items(child(node, 'recordlist')).flatMap(readRecord),
  }),
};

const NODE_ID = /^(\d{2}|\d{4}|\d{6}|\d{8}|\d{20})$/;
const CHANGES = new Set(['ON', 'OFF', 'VLOST', 'DEFECT', 'ADD', 'DEL', 'UPDATE']);

function readChannel(item: XmlObject): CatalogChannel[] {
  const channelId = text(item, 'deviceid', 32);
  if (channelId === undefined || !NODE_ID.test(channelId)) return [];
  const parentId = text(item, 'parentid', 32);
  const status = text(item, 'status', 16);
  const change = text(item, 'event', 16)?.toUpperCase();
  const info = child(item, 'info');
  return [
    {
      channelId,
      name: text(item, 'name') ?? channelId,
      manufacturer: text(item, 'manufacturer', 128),
      model: text(item, 'model', 128),
      owner: text(item, 'owner', 128),
      civilCode: text(item, 'civilcode', 32),
      address: text(item, 'address'),
      parentId: parentId !== undefined && NODE_ID.test(parentId) ? parentId : undefined,
      parental: text(item, 'parental', 4) === '1',
      status: status === undefined ? 'unknown' : isOn(status) ? 'on' : 'off',
      position: position(item),
      ptzType: (info && int(info, 'ptztype', 0, 15)) ?? int(item, 'ptztype', 0, 15),
      change: change !== undefined && CHANGES.has(change) ? (change as CatalogChannel['change']) : undefined,
    },
  ];
}

function readRecord(item: XmlObject): RecordSegment[] {
  const channelId = text(item, 'deviceid', 32);
  const startTime = text(item, 'starttime', 32);
  const endTime = text(item, 'endtime', 32);
  if (channelId === undefined || !/^\d{20}$/.test(channelId) || !startTime || !endTime) return [];
  return [
    {
      channelId,
      name: text(item, 'name'),
      startTime,
      endTime,
      type: text(item, 'type', 16),
      fileSize: int(item, 'filesize', 0, Number.MAX_SAFE_INTEGER),
    },
  ];
}

/** `yyyy-MM-ddTHH:mm:ss` in local time, as GB/T 28181 writes times. */
export function localTime(date: Date, millis = false): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const base = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return millis ? `${base}.${pad(date.getMilliseconds(), 3)}` : base;
}

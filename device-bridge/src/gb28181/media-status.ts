/** The device's in-dialog MediaStatus notification (`<Notify><CmdType>MediaStatus</CmdType>…<NotifyType>121`). */
import { ManscdpError, decodeBody, parseXml } from '../manscdp/decode.js';
import { int, text } from '../manscdp/fields.js';

/** The NotifyType of a MediaStatus Notify (121 = end of file), or undefined when the body is anything else or unreadable. */
export function readMediaStatus(body: string): number | undefined {
  try {
    const { root, body: node } = parseXml(decodeBody(body));
    if (root.toLowerCase() !== 'notify' || text(node, 'cmdtype', 64)?.toLowerCase() !== 'mediastatus') return undefined;
    return int(node, 'notifytype', 0, 999);
  } catch (error) {
    if (error instanceof ManscdpError) return undefined;
    throw error;
  }
}

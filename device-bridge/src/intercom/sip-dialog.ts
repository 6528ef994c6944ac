/** SIP messages of intercom call dialogs (RFC 3261): our INVITE, ACK for 2xx, BYE, CANCEL. */
import { randomBytes } from 'node:crypto';
import type { SipAddress } from 'sip';
import type { SipMessage } from '../sip/stack.js';

export interface DialogState {
  sipCallId: string;
  /** Our side (From in our requests), with our tag. */
  local: SipAddress;
  /** Their side (To in our requests), with their tag once known. */
  remote: SipAddress;
  /** Request-URI of in-dialog requests: their Contact. */
  target: string;
  /** Our CSeq counter. */
  cseq: number;
}

export interface InviteOptions {
  /** Where the intercom is registered. */
  requestUri: string;
  toUri: string;
  fromUri: string;
  contactUri: string;
  sdp: string;
}

export function newTag(): string {
  return randomBytes(5).toString('hex');
}

export function inviteRequest(o: InviteOptions, sipCallId: string, tag: string): SipMessage {
  return {
    method: 'INVITE',
    uri: o.requestUri,
    headers: {
      to: { uri: o.toUri, params: {} },
      from: { name: '"指挥中心"', uri: o.fromUri, params: { tag } },
      'call-id': sipCallId,
      cseq: { method: 'INVITE', seq: 1 },
      contact: [{ uri: o.contactUri, params: {} }],
      'max-forwards': '70',
      allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS',
      'content-type': 'application/sdp',
    },
    content: o.sdp,
  };
}

/** ACK for a 2xx answer to our INVITE (a request of its own, end to end). */
export function ackRequest(d: DialogState, inviteSeq: number): SipMessage {
  return {
    method: 'ACK',
    uri: d.target,
    headers: {
      to: d.remote,
      from: d.local,
      'call-id': d.sipCallId,
      cseq: { method: 'ACK', seq: inviteSeq },
      via: [],
      'max-forwards': '70',
    },
  };
}

export function byeRequest(d: DialogState): SipMessage {
  d.cseq += 1;
  return {
    method: 'BYE',
    uri: d.target,
    headers: { to: d.remote, from: d.local, 'call-id': d.sipCallId, cseq: { method: 'BYE', seq: d.cseq }, 'max-forwards': '70' },
  };
}

/** CANCEL of our pending INVITE: same Request-URI, Call-ID, From, To, CSeq number and top Via (branch). */
export function cancelRequest(invite: SipMessage): SipMessage {
  const via = invite.headers.via?.[0];
  return {
    method: 'CANCEL',
    uri: invite.uri,
    headers: {
      ...(via ? { via: [via] } : {}),
      to: invite.headers.to,
      from: invite.headers.from,
      'call-id': invite.headers['call-id'],
      cseq: { method: 'CANCEL', seq: invite.headers.cseq?.seq ?? 1 },
      'max-forwards': '70',
    },
  };
}

/** The first Contact URI of a message, if any. */
export function contactOf(message: SipMessage): string | undefined {
  const contact = message.headers.contact;
  return Array.isArray(contact) ? contact[0]?.uri : undefined;
}

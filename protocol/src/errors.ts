/**
 * Error codes shared by every process, each with its zh-CN and en message in one
 * catalog. A wire error is `{ error: { code, message, messageEn, details? } }`.
 */
import { z } from 'zod';

export const ErrorCode = {
  BadRequest: 'bad_request',
  ValidationFailed: 'validation_failed',
  PayloadTooLarge: 'payload_too_large',
  Unauthenticated: 'unauthenticated',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  Conflict: 'conflict',
  RateLimited: 'rate_limited',
  InvalidToken: 'invalid_token',
  TokenExpired: 'token_expired',
  UnknownMessageType: 'unknown_message_type',
  OutOfOrder: 'out_of_order',
  RoomLocked: 'room_locked',
  MutedByLeader: 'muted_by_leader',
  Unavailable: 'unavailable',
  Internal: 'internal',
  ConfigInvalid: 'config_invalid',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const errorCodeSchema = z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]);

/** The one catalog of user-facing error messages. */
export const errorMessages: Record<ErrorCode, { 'zh-CN': string; en: string }> = {
  bad_request: { 'zh-CN': '请求格式错误', en: 'Malformed request' },
  validation_failed: { 'zh-CN': '数据校验未通过', en: 'Validation failed' },
  payload_too_large: { 'zh-CN': '请求内容过大', en: 'Payload too large' },
  unauthenticated: { 'zh-CN': '未登录或登录已失效', en: 'Not signed in or session expired' },
  forbidden: { 'zh-CN': '无权执行此操作', en: 'Not allowed' },
  not_found: { 'zh-CN': '对象不存在', en: 'Not found' },
  conflict: { 'zh-CN': '与现有数据冲突', en: 'Conflicts with existing data' },
  rate_limited: { 'zh-CN': '尝试次数过多，请稍后再试', en: 'Too many attempts, try again later' },
  invalid_token: { 'zh-CN': '令牌无效', en: 'Invalid token' },
  token_expired: { 'zh-CN': '令牌已过期', en: 'Token expired' },
  unknown_message_type: { 'zh-CN': '未知的消息类型', en: 'Unknown message type' },
  out_of_order: { 'zh-CN': '操作顺序错误', en: 'Operation out of order' },
  room_locked: { 'zh-CN': '会商已锁定', en: 'The room is locked' },
  muted_by_leader: { 'zh-CN': '您已被主持人禁言，请举手申请发言', en: 'Muted by the leader; raise your hand to ask to speak' },
  unavailable: { 'zh-CN': '服务暂不可用', en: 'Service unavailable' },
  internal: { 'zh-CN': '内部错误', en: 'Internal error' },
  config_invalid: { 'zh-CN': '配置无效', en: 'Invalid configuration' },
};

export const wireErrorSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  messageEn: z.string(),
  details: z.unknown().optional(),
});
export type WireError = z.infer<typeof wireErrorSchema>;

/** An error that crosses a process boundary: a code, a cause, messages from the catalog. */
export class ProtocolError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, details?: unknown, options?: { cause?: unknown; message?: string }) {
    super(options?.message ?? errorMessages[code].en, { cause: options?.cause });
    this.name = 'ProtocolError';
    this.code = code;
    this.details = details;
  }

  toWire(): WireError {
    const wire: WireError = {
      code: this.code,
      message: errorMessages[this.code]['zh-CN'],
      messageEn: this.message,
    };
    if (this.details !== undefined) wire.details = this.details;
    return wire;
  }
}

/** Turns zod issues into a compact list a user can act on ("field: problem"). */
export function describeIssues(error: z.ZodError): { path: string; problem: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    problem: issue.message,
  }));
}

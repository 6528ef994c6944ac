/**
 * Join tokens: short-lived, signed grants the hub issues for the SFU
 * (`<base64url(claims JSON)>.<base64url(HMAC-SHA256)>`). Signing lives in @cc/runtime.
 */
import { z } from 'zod';

export const Role = {
  Admin: 'admin',
  Technician: 'technician',
  DutyOfficer: 'duty_officer',
  Leader: 'leader',
  CourtUser: 'court_user',
  Viewer: 'viewer',
  /** A machine: the device bridge or a wall display. */
  Service: 'service',
} as const;
export type Role = (typeof Role)[keyof typeof Role];
export const roleSchema = z.enum(Object.values(Role) as [Role, ...Role[]]);

export const joinTokenClaimsSchema = z.object({
  /** Room the holder may join. */
  room: z.string().min(1).max(128),
  /** Stable id of the person or device. */
  sub: z.string().min(1).max(128),
  name: z.string().max(128),
  role: roleSchema,
  /** Court code of the holder, if any. */
  court: z.string().max(32).optional(),
  /** Expiry, seconds since the epoch. */
  exp: z.number().int(),
});
export type JoinTokenClaims = z.infer<typeof joinTokenClaimsSchema>;

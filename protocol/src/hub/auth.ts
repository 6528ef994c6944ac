/** Hub sign-in, sessions and join tokens (`/api/v1/auth/*`). */
import { z } from 'zod';
import { roleSchema } from '../join-token.js';

export const loginRequestSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }).strict();
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const principalSchema = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string(),
  role: roleSchema,
  court: z.string().nullable(),
});
export type Principal = z.infer<typeof principalSchema>;

export const loginResponseSchema = z.object({ token: z.string(), expiresAt: z.string(), user: principalSchema });

export const joinTokenRequestSchema = z.object({ room: z.string().min(1).max(128) }).strict();
export const joinTokenResponseSchema = z.object({ token: z.string(), expiresAt: z.string() });

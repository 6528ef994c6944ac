/** Organisation: courts (法院) in a hierarchy, people with roles, field units (单兵/车辆/小组). */
import { z } from 'zod';
import { roleSchema } from '../join-token.js';

export const courtCodeSchema = z.string().regex(/^[0-9A-Z]{2,12}$/, 'court code: 2–12 digits/capitals');
export const latSchema = z.number().min(-90).max(90);
export const lonSchema = z.number().min(-180).max(180);

export const CourtLevel = { High: 'high', Intermediate: 'intermediate', Basic: 'basic', Special: 'special' } as const;
export const courtLevelSchema = z.enum(['high', 'intermediate', 'basic', 'special']);

export const courtSchema = z
  .object({
    code: courtCodeSchema,
    name: z.string().min(2).max(64),
    level: courtLevelSchema,
    parentCode: courtCodeSchema.nullable(),
    lat: latSchema,
    lon: lonSchema,
    address: z.string().max(200).default(''),
    contact: z.string().max(64).default(''),
    phone: z.string().max(32).default(''),
    /** Where the court's consultation endpoint answers (desktop app id, SIP URI or GB28181 id). */
    consultationEndpoint: z.string().max(200).default(''),
  })
  .strict();
export type Court = z.infer<typeof courtSchema>;
export const courtPatchSchema = courtSchema.omit({ code: true }).partial().strict();

export const personCreateSchema = z
  .object({
    username: z.string().regex(/^[a-zA-Z0-9_.-]{2,64}$/),
    name: z.string().min(1).max(64),
    role: roleSchema.exclude(['service']),
    court: courtCodeSchema.nullable(),
    phone: z.string().max(32).default(''),
    password: z.string().min(8).max(256),
  })
  .strict();
export const personPatchSchema = personCreateSchema.omit({ username: true }).partial().extend({ active: z.boolean().optional() }).strict();
export const personSchema = personCreateSchema.omit({ password: true }).extend({ id: z.string(), active: z.boolean() });
export type Person = z.infer<typeof personSchema>;

export const unitKindSchema = z.enum(['individual', 'vehicle', 'team']);
export const fieldUnitCreateSchema = z
  .object({
    name: z.string().min(1).max(64),
    kind: unitKindSchema,
    court: courtCodeSchema,
    /** Person ids. */
    members: z.array(z.string()).max(50).default([]),
    /** Device ids (GB28181 20-digit ids, intercom SIP users). */
    devices: z.array(z.string().max(64)).max(20).default([]),
    callSign: z.string().max(32).default(''),
  })
  .strict();
export const fieldUnitPatchSchema = fieldUnitCreateSchema.partial().strict();
export const unitPositionSchema = z
  .object({ lat: latSchema, lon: lonSchema, at: z.string().datetime({ offset: true }).optional() })
  .strict();
export const fieldUnitSchema = fieldUnitCreateSchema.extend({
  id: z.string(),
  status: z.enum(['available', 'busy', 'offline']),
  position: z.object({ lat: z.number(), lon: z.number(), at: z.string() }).nullable(),
});
export type FieldUnit = z.infer<typeof fieldUnitSchema>;

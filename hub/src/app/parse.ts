/** Parses request input at the edge: a zod failure becomes `validation_failed` with the issues. */
import type { z } from 'zod';
import { ErrorCode, ProtocolError, describeIssues } from '@cc/protocol';

export function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ProtocolError(ErrorCode.ValidationFailed, { issues: describeIssues(result.error) });
  return result.data;
}

export function notFound(what: string, id: string): ProtocolError {
  return new ProtocolError(ErrorCode.NotFound, { [what]: id });
}

/** 指令 and per-recipient delivery/acknowledgement rows on SQLite. */
import type { Instruction } from '@cc/protocol';
import type { Migration } from '../app/module.js';
import type { Db } from '../store/database.js';
import { iso, isoOrNull } from '../deadlines/calendar.js';

export const instructionMigrations: Migration[] = [
  {
    id: 'instructions-001',
    sql: `
      CREATE TABLE instructions (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        content TEXT NOT NULL,
        priority TEXT NOT NULL,
        require_ack INTEGER NOT NULL,
        issuer_id TEXT NOT NULL,
        issuer_name TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX instructions_created ON instructions(created_at);
      CREATE TABLE instruction_recipients (
        instruction_id TEXT NOT NULL,
        recipient TEXT NOT NULL,
        kind TEXT NOT NULL,
        court_code TEXT NOT NULL,
        delivered_at INTEGER,
        acknowledged_at INTEGER,
        ack_by_id TEXT,
        ack_by_name TEXT,
        note TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (instruction_id, recipient)
      ) WITHOUT ROWID;
      CREATE INDEX instruction_recipients_court ON instruction_recipients(court_code, instruction_id);`,
  },
];

interface InstructionRow {
  id: string;
  title: string;
  content: string;
  priority: Instruction['priority'];
  require_ack: number;
  issuer_id: string;
  issuer_name: string;
  created_at: number;
}

export interface RecipientRow {
  instruction_id: string;
  recipient: string;
  kind: 'court' | 'unit';
  court_code: string;
  delivered_at: number | null;
  acknowledged_at: number | null;
  ack_by_id: string | null;
  ack_by_name: string | null;
  note: string;
}

export const recipientState = (r: RecipientRow): 'sent' | 'delivered' | 'acknowledged' =>
  r.acknowledged_at !== null ? 'acknowledged' : r.delivered_at !== null ? 'delivered' : 'sent';

const toRecipient = (r: RecipientRow): Instruction['recipients'][number] => ({
  recipient: r.recipient,
  kind: r.kind,
  court: r.court_code,
  state: recipientState(r),
  deliveredAt: isoOrNull(r.delivered_at),
  acknowledgedAt: isoOrNull(r.acknowledged_at),
  acknowledgedBy: r.ack_by_id ? { id: r.ack_by_id, name: r.ack_by_name ?? '' } : null,
  note: r.note,
});

/** The instruction with its recipients; a court-scoped reader sees only its own court's recipients. */
export function loadInstruction(db: Db, id: string, court: string | null): Instruction | undefined {
  const row = db.prepare('SELECT * FROM instructions WHERE id = ?').get(id) as InstructionRow | undefined;
  if (!row) return undefined;
  const recipients = db
    .prepare('SELECT * FROM instruction_recipients WHERE instruction_id = ? AND (@court IS NULL OR court_code = @court) ORDER BY recipient')
    .all(id, { court }) as RecipientRow[];
  if (court !== null && recipients.length === 0) return undefined;
  return {
    id: row.id,
    title: row.title,
    content: row.content,
    priority: row.priority,
    requireAck: row.require_ack === 1,
    issuer: { id: row.issuer_id, name: row.issuer_name },
    createdAt: iso(row.created_at),
    recipients: recipients.map(toRecipient),
  };
}

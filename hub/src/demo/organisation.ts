/**
 * The demo organisation: Beijing's real court hierarchy (assets/demo/beijing-courts.json,
 * derived from administrative-division data), and generated people, field units, devices
 * (GB/T 28181 ids) and positions near each court.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { courtSchema, type Court, type Person } from '@cc/protocol';
import type { Db } from '../store/database.js';
import { insertPerson, putCourt, putUnit, setUnitPosition } from '../orgs/repository.js';
import { mobile, personName } from './names.js';
import type { SeededRandom } from './random.js';

const COURTS_FILE = new URL('../../../assets/demo/beijing-courts.json', import.meta.url);

export const demoCourtSchema = courtSchema
  .pick({ code: true, name: true, level: true, parentCode: true, lat: true, lon: true })
  .extend({ designator: z.string(), district: z.string().regex(/^\d{6}$/) });
export type DemoCourt = z.infer<typeof demoCourtSchema>;

export function readDemoCourts(): DemoCourt[] {
  const file = z.object({ courts: z.array(demoCourtSchema).min(1) }).parse(JSON.parse(readFileSync(COURTS_FILE, 'utf8')));
  return file.courts;
}

/** The command centre sits at the high court. */
export const CENTRE_COURT = '110000';

export function insertCourts(db: Db, random: SeededRandom, courts: readonly DemoCourt[]): Court[] {
  return courts.map((c) => {
    const court: Court = {
      code: c.code,
      name: c.name,
      level: c.level,
      parentCode: c.parentCode,
      lat: c.lat,
      lon: c.lon,
      address: '',
      contact: `${personName(random)}（执行局值班）`,
      phone: `010-${random.int(5000_0000, 8999_9999)}`,
      // The court's consultation endpoint: its desktop app, registered under the court code.
      consultationEndpoint: `app:${c.code}`,
    };
    putCourt(db, court);
    return court;
  });
}

export interface DemoPerson {
  id: string;
  username: string;
  name: string;
  role: Person['role'];
  court: string;
}

/** Centre staff at the high court; per court a duty user, an enforcement-bureau leader and field officers. */
export function insertPeople(db: Db, random: SeededRandom, courts: readonly DemoCourt[], passwordHash: string): DemoPerson[] {
  const people: DemoPerson[] = [];
  const add = (username: string, role: Person['role'], court: string): void => {
    const person = { id: `demo-${username}`, username, name: personName(random), role, court };
    insertPerson(db, { ...person, phone: mobile(random), passwordHash });
    people.push(person);
  };
  const staff: [string, Person['role'], number][] = [
    ['duty', 'duty_officer', 8],
    ['leader', 'leader', 3],
    ['tech', 'technician', 3],
    ['viewer', 'viewer', 2],
  ];
  for (const [prefix, role, count] of staff)
    for (let i = 1; i <= count; i++) add(`${prefix}${String(i).padStart(2, '0')}`, role, CENTRE_COURT);
  for (const c of courts) {
    add(`c${c.code}-duty`, 'court_user', c.code);
    add(`c${c.code}-leader`, 'leader', c.code);
    const officers = c.level === 'basic' ? 8 : 3;
    for (let i = 1; i <= officers; i++) add(`c${c.code}-f${String(i).padStart(2, '0')}`, 'court_user', c.code);
  }
  return people;
}

/**
 * GB/T 28181 device id: centre (GB/T 2260 area code + '00'), industry '00', type (131 camera,
 * 132 IPC / body camera), network '6' (政务网), 6-digit serial.
 */
export function gb28181Id(area6: string, type: '131' | '132', serial: number): string {
  return `${area6}00` + '00' + type + '6' + String(serial).padStart(6, '0');
}

export interface DemoUnit {
  id: string;
  court: string;
  kind: 'individual' | 'vehicle' | 'team';
}

/** 单兵 with a body camera, a vehicle with a roof camera, a team with two cameras; positions within ~4 km of the court. */
export function insertUnits(
  db: Db,
  random: SeededRandom,
  courts: readonly DemoCourt[],
  people: readonly DemoPerson[],
  now: number,
): DemoUnit[] {
  const units: DemoUnit[] = [];
  let serial = 1;
  for (const c of courts) {
    const officers = people.filter((p) => p.court === c.code && /-f\d+$/.test(p.username)).map((p) => p.id);
    const plan: { kind: DemoUnit['kind']; name: string; members: string[]; cameras: number; type: '131' | '132' }[] =
      c.level === 'basic'
        ? [
            { kind: 'individual', name: '单兵1', members: officers.slice(0, 1), cameras: 1, type: '132' },
            { kind: 'individual', name: '单兵2', members: officers.slice(1, 2), cameras: 1, type: '132' },
            { kind: 'individual', name: '单兵3', members: officers.slice(2, 3), cameras: 1, type: '132' },
            { kind: 'vehicle', name: '执行车1', members: officers.slice(3, 5), cameras: 1, type: '131' },
            { kind: 'team', name: '执行组1', members: officers.slice(4, 8), cameras: 2, type: '132' },
          ]
        : [
            { kind: 'individual', name: '单兵1', members: officers.slice(0, 1), cameras: 1, type: '132' },
            { kind: 'vehicle', name: '执行车1', members: officers.slice(1, 3), cameras: 1, type: '131' },
          ];
    plan.forEach((u, i) => {
      const id = `unit-${c.code}-${i + 1}`;
      const devices = Array.from({ length: u.cameras }, () => gb28181Id(c.district, u.type, serial++));
      const status = random.weighted([
        ['available', 70],
        ['busy', 22],
        ['offline', 8],
      ] as const);
      const shortName = c.name.replace(/^北京市?/, '').replace(/人民法院$/, '');
      putUnit(db, {
        id,
        name: `${shortName}${u.name}`,
        kind: u.kind,
        court: c.code,
        members: u.members,
        devices,
        callSign: `${c.designator}-${i + 1}`,
        status,
      });
      const distanceKm = random.exponential(1.2);
      const bearing = random.next() * 2 * Math.PI;
      const lat = c.lat + (distanceKm / 111) * Math.cos(bearing);
      const lon = c.lon + (distanceKm / (111 * Math.cos((c.lat * Math.PI) / 180))) * Math.sin(bearing);
      const ageMs = status === 'offline' ? random.int(2, 48) * 3600_000 : random.int(5, 600) * 1000;
      setUnitPosition(db, id, Number(lat.toFixed(6)), Number(lon.toFixed(6)), new Date(now - ageMs).toISOString());
      units.push({ id, court: c.code, kind: u.kind });
    });
  }
  return units;
}

/** Which court a device belongs to: the court it was provisioned for, else the court of the unit carrying it. */
import { findUnitByDevice, getUnit } from '../orgs/repository.js';
import type { Db } from '../store/database.js';
import { getProvisioned } from './provisioned.js';

export function deviceCourt(db: Db, deviceId: string): string | null {
  const provisioned = getProvisioned(db, deviceId)?.device;
  if (provisioned?.court) return provisioned.court;
  const unit = provisioned?.unitId ? getUnit(db, provisioned.unitId) : findUnitByDevice(db, deviceId);
  return unit?.court ?? null;
}

function kindOf(db: Db, deviceId: string): string | undefined {
  const provisioned = getProvisioned(db, deviceId)?.device.kind;
  if (provisioned) return provisioned;
  return (db.prepare('SELECT kind FROM devices WHERE id = ?').get(deviceId) as { kind: string } | undefined)?.kind;
}

/**
 * Whom to call for a device: the device itself if it is an intercom, else the intercom its
 * field unit carries (an SOS comes from the body camera; the officer talks over the unit's
 * intercom), else the device itself (the bridge says whether it can be called).
 */
export function intercomFor(db: Db, deviceId: string): string {
  if (kindOf(db, deviceId) === 'intercom') return deviceId;
  const unitId = getProvisioned(db, deviceId)?.device.unitId;
  const unit = unitId ? getUnit(db, unitId) : findUnitByDevice(db, deviceId);
  if (!unit) return deviceId;
  const carried = unit.devices.find((d) => d !== deviceId && kindOf(db, d) === 'intercom');
  if (carried) return carried;
  const provisioned = db
    .prepare("SELECT id FROM provisioned_devices WHERE unit_id = ? AND kind = 'intercom' ORDER BY id LIMIT 1")
    .get(unit.id) as { id: string } | undefined;
  return provisioned?.id ?? deviceId;
}

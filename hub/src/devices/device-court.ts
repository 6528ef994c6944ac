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

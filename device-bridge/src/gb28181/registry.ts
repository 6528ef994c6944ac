/**
 * Registered SIP devices (GB/T 28181 devices and intercoms): where to reach them, until
 * when their registration holds, and whether they are online. One sweep timer checks
 * keepalive timeouts and expiries for all devices (no timer per device).
 */
import type { BridgeDevice, DeviceOfflineReason } from '@cc/protocol';
import type { Logger } from '@cc/runtime';
import { makeEvent, type EventSink } from '../hub/events.js';

export interface DeviceState {
  deviceId: string;
  kind: 'gb28181' | 'intercom';
  transport: 'udp' | 'tcp';
  address: string;
  port: number;
  callId: string;
  expiresAt: number;
  lastSeen: number;
  online: boolean;
  userAgent?: string;
  lastOfflineReason?: DeviceOfflineReason;
}

export interface RegistryOptions {
  /** Keepalive interval devices use (s) and how many may be missed before offline. */
  keepaliveIntervalS: number;
  keepaliveMaxMissed: number;
  sweepMs?: number;
  sink: EventSink;
  logger: Logger;
}

export interface Registration {
  deviceId: string;
  kind: DeviceState['kind'];
  transport: DeviceState['transport'];
  address: string;
  port: number;
  callId: string;
  expiresS: number;
  userAgent?: string;
}

export class DeviceRegistry {
  private readonly devices = new Map<string, DeviceState>();
  private readonly timer: NodeJS.Timeout;
  /** Devices that went offline, counted for /healthz and the benchmark. */
  offlineTransitions = 0;

  constructor(private readonly options: RegistryOptions) {
    this.timer = setInterval(() => this.sweep(Date.now()), options.sweepMs ?? 1000);
  }

  get(deviceId: string): DeviceState | undefined {
    return this.devices.get(deviceId);
  }

  /** A device is "known" to MESSAGE handling while its registration holds. */
  registered(deviceId: string, now = Date.now()): DeviceState | undefined {
    const device = this.devices.get(deviceId);
    return device && device.expiresAt > now ? device : undefined;
  }

  register(registration: Registration, now = Date.now()): void {
    const previous = this.devices.get(registration.deviceId);
    const state: DeviceState = {
      deviceId: registration.deviceId,
      kind: registration.kind,
      transport: registration.transport,
      address: registration.address,
      port: registration.port,
      callId: registration.callId,
      expiresAt: now + registration.expiresS * 1000,
      lastSeen: now,
      online: true,
      userAgent: registration.userAgent,
    };
    this.devices.set(registration.deviceId, state);
    const refresh = previous?.online === true && previous.callId === registration.callId && previous.address === registration.address;
    if (refresh) return;
    const { sink } = this.options;
    sink.publish(
      makeEvent('device.registered', {
        deviceId: state.deviceId,
        kind: state.kind,
        transport: state.transport,
        address: state.address,
        port: state.port,
        expiresS: registration.expiresS,
        userAgent: state.userAgent,
      }),
    );
    if (!previous?.online) sink.publish(makeEvent('device.online', { deviceId: state.deviceId, kind: state.kind }));
  }

  unregister(deviceId: string): void {
    const device = this.devices.get(deviceId);
    if (!device) return;
    device.expiresAt = 0;
    this.setOffline(device, 'unregistered');
  }

  /** A keepalive (or any MESSAGE): the device is alive, and may have moved (NAT rebinding). */
  touch(deviceId: string, address: string, port: number, now = Date.now()): boolean {
    const device = this.registered(deviceId, now);
    if (!device) return false;
    device.lastSeen = now;
    device.address = address;
    device.port = port;
    if (!device.online) {
      device.online = true;
      device.lastOfflineReason = undefined;
      this.options.sink.publish(makeEvent('device.online', { deviceId, kind: device.kind }));
    }
    return true;
  }

  private timeoutMs(device: DeviceState): number {
    const { keepaliveIntervalS, keepaliveMaxMissed } = this.options;
    // Intercoms send no GB keepalives: their registration refresh is the liveness signal.
    if (device.kind === 'intercom') return Number.POSITIVE_INFINITY;
    return keepaliveIntervalS * keepaliveMaxMissed * 1000;
  }

  sweep(now: number): void {
    for (const device of this.devices.values()) {
      if (!device.online) continue;
      if (device.expiresAt <= now) this.setOffline(device, 'registration_expired');
      else if (now - device.lastSeen > this.timeoutMs(device)) this.setOffline(device, 'keepalive_timeout');
    }
  }

  private setOffline(device: DeviceState, reason: DeviceOfflineReason): void {
    if (!device.online) return;
    device.online = false;
    device.lastOfflineReason = reason;
    this.offlineTransitions += 1;
    this.options.logger.info({ deviceId: device.deviceId, reason }, 'device offline');
    this.options.sink.publish(makeEvent('device.offline', { deviceId: device.deviceId, kind: device.kind, reason }));
  }

  ids(): string[] {
    return [...this.devices.keys()];
  }

  counts(): { known: number; online: number } {
    let online = 0;
    for (const device of this.devices.values()) if (device.online) online += 1;
    return { known: this.devices.size, online };
  }

  describe(deviceId: string): Omit<BridgeDevice, 'name'> | undefined {
    const device = this.devices.get(deviceId);
    if (!device) return undefined;
    return {
      deviceId,
      kind: device.kind,
      online: device.online,
      registered: device.expiresAt > Date.now(),
      lastOfflineReason: device.lastOfflineReason,
      address: device.address,
      port: device.port,
      transport: device.transport,
      lastSeen: new Date(device.lastSeen).toISOString(),
    };
  }

  /** On shutdown every online device goes offline for the hub. */
  close(): void {
    clearInterval(this.timer);
    for (const device of this.devices.values()) this.setOffline(device, 'bridge_shutdown');
  }
}

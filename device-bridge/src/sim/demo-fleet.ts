/**
 * The demo's living field units: the plan's devices as real GB/T 28181 devices over SIP/UDP
 * (GbFleet): they register with their own passwords, keep alive, report MobilePosition along
 * seeded paths near their court, now and then press SOS, and the video devices answer
 * live-video INVITEs with a looping pre-encoded clip (PS over RTP).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '@cc/runtime';
import { GbFleet } from './gb-fleet.js';
import { Boundary, SeededRandom, Walker } from './demo-fleet-motion.js';
import type { DemoPlan } from './demo-fleet-plan.js';
import { PsVideoSource } from './ps-video-source.js';

export interface DemoFleetOptions {
  plan: DemoPlan;
  bridgeHost: string;
  bridgePort: number;
  serverId: string;
  domain: string;
  bindHost: string;
  seed: string;
  positionIntervalS: number;
  keepaliveIntervalS: number;
  sosIntervalS: number;
  firstSosS: number;
  boundary?: Boundary;
  logger: Logger;
}

export const DemoFleetEvent = {
  /** A device registered (first time and after the bridge forgot it). */
  Registered: 'registered',
  /** A device sent an SOS alarm. */
  Sos: 'sos',
} as const;

export interface DemoFleetEvents {
  registered: [deviceId: string];
  sos: [info: { deviceId: string; unitId: string; lat: number; lon: number }];
}

interface DeviceState {
  walker: Walker;
  registered: boolean;
  registering: boolean;
  retryAt: number;
  reRegisterAt: number;
  nextPosition: number;
  nextKeepalive: number;
  steppedAt: number;
}

const TICK_MS = 250;
const EXPIRES_S = 3600;
const MAX_REGISTERING = 20;
const RETRY_MS = 10_000;

export class DemoFleet extends EventEmitter<DemoFleetEvents> {
  private readonly states: DeviceState[];
  private readonly random: SeededRandom;
  private tickTimer: NodeJS.Timeout | undefined;
  private sosTimer: NodeJS.Timeout | undefined;
  private registering = 0;
  private closed = false;
  sosSent = 0;
  positionsSent = 0;

  private constructor(
    private readonly options: DemoFleetOptions,
    private readonly fleet: GbFleet,
  ) {
    super();
    this.random = new SeededRandom(`${options.seed}:sos`);
    const now = Date.now();
    this.states = options.plan.devices.map((d) => ({
      walker: new Walker(d.home, d.start, d.kind, new SeededRandom(`${options.seed}:${d.deviceId}`), options.boundary),
      registered: false,
      registering: false,
      retryAt: now,
      reRegisterAt: Infinity,
      nextPosition: Infinity,
      nextKeepalive: Infinity,
      steppedAt: now,
    }));
  }

  static async create(options: DemoFleetOptions): Promise<DemoFleet> {
    const { plan } = options;
    const video = new Set(plan.devices.filter((d) => d.video).map((d) => d.deviceId));
    const index = new Map(plan.devices.map((d, i) => [d.deviceId, i]));
    const holder: { fleet?: DemoFleet } = {};
    const gb = await GbFleet.create({
      bridgeHost: options.bridgeHost,
      bridgePort: options.bridgePort,
      bindHost: options.bindHost,
      serverId: options.serverId,
      domain: options.domain,
      devices: plan.devices.map((d) => ({ deviceId: d.deviceId, password: d.password, name: d.name })),
      devicesPerSocket: 50,
      expiresS: EXPIRES_S,
      answerQueries: true,
      video: (channel) => (plan.clip && video.has(channel) ? new PsVideoSource(plan.clip, 25, 'PCMA') : undefined),
      positionOf: (deviceId) => {
        const at = holder.fleet?.states[index.get(deviceId) ?? -1]?.walker.position ?? plan.devices[index.get(deviceId) ?? 0]!.start;
        return { longitude: at.lon, latitude: at.lat };
      },
    });
    holder.fleet = new DemoFleet(options, gb);
    return holder.fleet;
  }

  get size(): number {
    return this.states.length;
  }

  get registered(): number {
    return this.states.filter((s) => s.registered).length;
  }

  /** Video sessions running now. */
  get videoSessions(): number {
    return this.fleet.sessions.size;
  }

  start(): void {
    this.tickTimer = setInterval(() => this.tick(), TICK_MS);
    this.scheduleSos(this.options.firstSosS * 1000);
  }

  private tick(): void {
    const now = Date.now();
    this.states.forEach((state, i) => {
      if (!state.registered) {
        if (!state.registering && now >= state.retryAt && this.registering < MAX_REGISTERING) this.register(i, state);
        return;
      }
      if (now >= state.reRegisterAt && !state.registering && this.registering < MAX_REGISTERING) this.register(i, state);
      if (now >= state.nextPosition) {
        state.nextPosition = now + this.options.positionIntervalS * 1000;
        const fix = state.walker.step((now - state.steppedAt) / 1000);
        state.steppedAt = now;
        this.fleet.position(i, fix.lon, fix.lat, fix.speedKmh, fix.directionDeg, (status) => this.checkAnswer(state, status));
        this.positionsSent += 1;
      }
      if (now >= state.nextKeepalive) {
        state.nextKeepalive = now + this.options.keepaliveIntervalS * 1000;
        this.fleet.keepalive(i, (status) => this.checkAnswer(state, status));
      }
    });
  }

  /** 403/404: the bridge no longer knows this registration (it restarted): register again. */
  private checkAnswer(state: DeviceState, status: number): void {
    if ((status === 403 || status === 404) && state.registered && !state.registering) {
      state.registered = false;
      state.retryAt = Date.now();
    }
  }

  private register(index: number, state: DeviceState): void {
    state.registering = true;
    this.registering += 1;
    void this.fleet.register(index).then((ok) => {
      state.registering = false;
      this.registering -= 1;
      const now = Date.now();
      if (!ok) {
        state.registered = false;
        state.retryAt = now + RETRY_MS * (0.5 + this.random.next());
        return;
      }
      const first = !state.registered;
      state.registered = true;
      state.reRegisterAt = now + EXPIRES_S * 800;
      if (first) {
        const interval = this.options.positionIntervalS * 1000;
        state.nextPosition = now + Math.min(interval, 1000) * this.random.next();
        state.nextKeepalive = now + this.options.keepaliveIntervalS * 1000 * this.random.next();
        this.emit(DemoFleetEvent.Registered, this.options.plan.devices[index]!.deviceId);
      }
    });
  }

  private scheduleSos(delayMs: number): void {
    this.sosTimer = setTimeout(() => {
      // Nobody registered yet (or the bridge is down): try again soon rather than a whole interval later.
      if (!this.sos()) return this.scheduleSos(5000);
      this.scheduleSos(Math.max(1000, this.random.exponential(this.options.sosIntervalS * 1000)));
    }, delayMs);
  }

  /** One SOS from a registered device picked by the seeded generator; false when none is registered. */
  sos(): boolean {
    const ready = this.states.map((s, i) => (s.registered ? i : -1)).filter((i) => i >= 0);
    if (ready.length === 0) return false;
    const index = ready[Math.floor(this.random.next() * ready.length)]!;
    const device = this.options.plan.devices[index]!;
    const at = this.states[index]!.walker.position;
    this.fleet.alarm(index, '一键求助（演示）', { longitude: Number(at.lon.toFixed(6)), latitude: Number(at.lat.toFixed(6)) });
    this.sosSent += 1;
    this.options.logger.info({ deviceId: device.deviceId, unitId: device.unitId }, 'demo SOS sent');
    this.emit(DemoFleetEvent.Sos, { deviceId: device.deviceId, unitId: device.unitId, lat: at.lat, lon: at.lon });
    return true;
  }

  /** Unregisters (Expires: 0, waiting at most a second for the answers) so the devices show offline at once, then closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.sosTimer) clearTimeout(this.sosTimer);
    const goodbyes = this.states.flatMap((s, i) => (s.registered ? [this.fleet.register(i, 0)] : []));
    await Promise.race([Promise.all(goodbyes), new Promise((resolve) => setTimeout(resolve, 1000))]);
    await this.fleet.close();
  }
}

/**
 * Demo fleet settings (section `demo`, env `CC_DEMO_*`). `demo.fleet` is read by the
 * launcher too: auto = run when the hub holds the demo dataset, on = run whenever the hub
 * has units with devices, off = never.
 */
import { z } from 'zod';

export const demoFleetModeSchema = z.enum(['auto', 'on', 'off']);

export const demoFleetConfigSchema = z
  .object({
    fleet: demoFleetModeSchema.default('auto'),
    /** Seed of the units' paths and of the SOS schedule (not of the passwords: those come from a secret in the data dir). */
    seed: z.string().min(1).max(128).default('cc-demo-fleet-v1'),
    /** Most devices simulated (spread over the courts); the demo has about 120. */
    maxDevices: z.number().int().min(1).max(2000).default(200),
    /** Devices that answer live-video INVITEs with a looping clip; the rest refuse (488). */
    videoDevices: z.number().int().min(0).max(50).default(8),
    positionIntervalS: z.number().min(1).max(600).default(5),
    keepaliveIntervalS: z.number().int().min(5).max(3600).default(30),
    /** Mean time between two SOS alarms across the whole fleet, s (a Poisson process). */
    sosIntervalS: z.number().min(1).max(86_400).default(600),
    /** When the first SOS comes after start, s, so a demo shows one early. */
    firstSosS: z.number().min(1).max(3600).default(45),
    /** Local address of the simulated devices; empty: 127.0.0.2 when the bridge is on 127.0.0.1, else 127.0.0.1. */
    bindHost: z.string().max(255).default(''),
  })
  .strict();
export type DemoFleetConfig = z.infer<typeof demoFleetConfigSchema>;

/** All serial devices of the bridge, by device id; the control API's entry to PTZ and serial commands. */
import { ErrorCode, ProtocolError, type PtzCommand, type SerialCommand } from '@cc/protocol';
import type { Logger } from '@cc/runtime';
import type { EventSink } from '../hub/events.js';
import type { SerialDeviceConfig } from './config.js';
import { SerialDevice } from './serial-device.js';

export class SerialDevices {
  private readonly devices = new Map<string, SerialDevice>();

  constructor(configs: SerialDeviceConfig[], sink: EventSink, logger: Logger) {
    for (const config of configs)
      this.devices.set(config.deviceId, new SerialDevice(config, sink, logger.child({ module: 'serial', deviceId: config.deviceId })));
  }

  start(): void {
    for (const device of this.devices.values()) device.start();
  }

  has(deviceId: string): boolean {
    return this.devices.has(deviceId);
  }

  private get(deviceId: string): SerialDevice {
    const device = this.devices.get(deviceId);
    if (!device) throw new ProtocolError(ErrorCode.NotFound, { deviceId });
    if (!device.isOnline) throw new ProtocolError(ErrorCode.Unavailable, { deviceId }, { message: `serial device ${deviceId} is offline` });
    return device;
  }

  async ptz(deviceId: string, command: PtzCommand): Promise<void> {
    if (!(await this.get(deviceId).ptz(command))) {
      throw new ProtocolError(ErrorCode.Unavailable, { deviceId }, { message: `serial device ${deviceId} did not complete the command` });
    }
  }

  async command(deviceId: string, command: SerialCommand): Promise<{ routes?: Record<string, number> }> {
    const result = await this.get(deviceId).command(command);
    if (!result.ok)
      throw new ProtocolError(ErrorCode.Unavailable, { deviceId }, { message: `serial device ${deviceId} refused or did not answer` });
    return result.routes ? { routes: result.routes } : {};
  }

  async close(): Promise<void> {
    await Promise.all([...this.devices.values()].map((d) => d.close()));
  }
}

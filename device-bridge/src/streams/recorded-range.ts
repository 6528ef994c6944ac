/** The time range of a playback or download: local times, as GB/T 28181 writes them, to Unix seconds for the SDP `t=` line. */
import { ErrorCode, ProtocolError } from '@cc/protocol';

export interface RecordedRange {
  start: number;
  end: number;
}

const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

export function recordedRange(startTime: string | undefined, endTime: string | undefined): RecordedRange {
  if (!startTime || !endTime || !LOCAL_TIME.test(startTime) || !LOCAL_TIME.test(endTime)) {
    throw new ProtocolError(
      ErrorCode.ValidationFailed,
      { startTime, endTime },
      { message: 'playback needs startTime and endTime as yyyy-MM-ddTHH:mm:ss' },
    );
  }
  const start = Math.floor(new Date(startTime).getTime() / 1000);
  const end = Math.floor(new Date(endTime).getTime() / 1000);
  if (!(end > start))
    throw new ProtocolError(ErrorCode.ValidationFailed, { startTime, endTime }, { message: 'endTime must be after startTime' });
  return { start, end };
}

/** @cc/sfu-client: the browser side of the SFU (desktop renderer, wall, court endpoints). */
export { SfuClient, type SfuClientOptions } from './sfu-client.js';
export { SfuClientEvent, type SfuClientEvents, type ConnectionState, type Participant, type RemoteTrack } from './events.js';
export { SfuRequestError } from './signalling-channel.js';
export { Moderation } from './moderation.js';

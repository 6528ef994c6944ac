/** The hub's link to the device bridge: typed control calls and a watch on the bridge's health. */
export { createBridgeClient, type BridgeClient, type BridgeBody, type BridgeParams } from './bridge-client.js';
export { watchBridge, type BridgeWatch } from './bridge-watch.js';

/** Simulcast layer choice: the size of the tile showing a video decides which of the 3 layers it gets. */

/**
 * Layer heights as @cc/sfu-client sends them: a 720p camera as 3 layers (180, 360, 720 lines),
 * a 360p camera as 2 (180, 360); mediasoup clamps a preferred layer to what the producer has.
 */
const LAYER_HEIGHTS = [180, 360, 720] as const;
export const HIGHEST_LAYER = LAYER_HEIGHTS.length - 1;

/** The smallest layer at least as tall as the tile (the highest for large tiles). */
export function layerForTile(width: number, height: number): number {
  const lines = Math.max(height, Math.round((width * 9) / 16));
  const index = LAYER_HEIGHTS.findIndex((h) => h >= lines);
  return index === -1 ? HIGHEST_LAYER : index;
}

/** Outside the recent speakers of a large room, video is sent at the lowest layer whatever the tile. */
export function effectiveLayer(tileLayer: number, recentSpeaker: boolean): number {
  return recentSpeaker ? tileLayer : 0;
}

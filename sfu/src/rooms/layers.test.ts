import { describe, expect, it } from 'vitest';
import { HIGHEST_LAYER, effectiveLayer, layerForTile } from './layers.js';

describe('simulcast layer choice', () => {
  it('picks the smallest layer that fills the tile', () => {
    expect(layerForTile(160, 90)).toBe(0);
    expect(layerForTile(320, 180)).toBe(0);
    expect(layerForTile(640, 360)).toBe(1);
    expect(layerForTile(641, 361)).toBe(2);
    expect(layerForTile(1920, 1080)).toBe(HIGHEST_LAYER);
    // A wide, short tile still needs the width's worth of lines.
    expect(layerForTile(1280, 100)).toBe(2);
  });

  it('sends only the lowest layer for peers outside the last N speakers', () => {
    expect(effectiveLayer(2, true)).toBe(2);
    expect(effectiveLayer(2, false)).toBe(0);
  });
});

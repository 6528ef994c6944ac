/**
 * The offline base map: a maplibre style with only local GeoJSON (Beijing's district
 * boundaries from assets/demo, bundled by Vite). No tiles, no glyphs, no sprites: every
 * label is drawn by deck.gl's TextLayer with the system CJK font.
 */
import type { StyleSpecification } from 'maplibre-gl';
import districtsUrl from '../../../../../assets/demo/beijing-districts.geojson?url';

export { districtsUrl };

export function baseStyle(districts: GeoJSON.FeatureCollection | string, dark: boolean): StyleSpecification {
  return {
    version: 8,
    sources: { districts: { type: 'geojson', data: districts } },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': dark ? '#050b16' : '#07111f' } },
      { id: 'district-fill', type: 'fill', source: 'districts', paint: { 'fill-color': '#0e2644', 'fill-opacity': 0.9 } },
      { id: 'district-line', type: 'line', source: 'districts', paint: { 'line-color': '#2f6aa8', 'line-width': 1.2 } },
    ],
  };
}

/** The deck.gl layers of the console/wall map, one builder per kind of mark; `scale` enlarges marks and text for the wall. */
import type { Layer, PickingInfo } from '@deck.gl/core';
import { ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import { pulseRadius, unitColour, type AlarmPoint, type CourtPoint, type UnitPoint } from './map-data';

/** The installed system CJK font: TextLayer draws its own glyph atlas, nothing is fetched. */
const FONT = 'Noto Sans CJK SC, Noto Sans SC, sans-serif';

export const labelSizeOf = (scale: number): number => 13 * scale;

export function districtNameLayer(districts: { name: string; position: [number, number] }[], scale: number): Layer {
  return new TextLayer<{ name: string; position: [number, number] }>({
    id: 'district-names',
    data: districts,
    getPosition: (d) => d.position,
    getText: (d) => d.name,
    getSize: 12 * scale,
    getColor: [120, 160, 210, 150],
    fontFamily: FONT,
    characterSet: 'auto',
  });
}

/** Court seats sized by level, and the labels that fit (`labelled`). */
export function courtLayers(courts: CourtPoint[], labelled: Set<string>, scale: number): Layer[] {
  return [
    new ScatterplotLayer<CourtPoint>({
      id: 'courts',
      data: courts,
      getPosition: (d) => d.position,
      getRadius: (d) => (d.level === 'high' ? 9 : d.level === 'intermediate' ? 7 : 5) * scale,
      radiusUnits: 'pixels',
      getFillColor: [79, 143, 224, 255],
      getLineColor: [230, 240, 255, 255],
      lineWidthMinPixels: 1.5,
      stroked: true,
      pickable: true,
    }),
    new TextLayer<CourtPoint>({
      id: 'court-names',
      data: courts.filter((c) => labelled.has(c.code)),
      getPosition: (d) => d.position,
      getText: (d) => d.label,
      getSize: labelSizeOf(scale),
      getColor: [225, 235, 250, 255],
      getPixelOffset: [10 * scale, 0],
      getTextAnchor: 'start',
      getAlignmentBaseline: 'center',
      fontFamily: FONT,
      characterSet: 'auto',
      outlineWidth: 2,
      outlineColor: [5, 11, 22, 255],
      fontSettings: { sdf: true },
    }),
  ];
}

export function unitLayer(units: UnitPoint[], scale: number): Layer {
  return new ScatterplotLayer<UnitPoint>({
    id: 'units',
    data: units,
    getPosition: (d) => d.position,
    getRadius: 5 * scale,
    radiusUnits: 'pixels',
    getFillColor: (d) => unitColour(d.status, d.ageS),
    getLineColor: [10, 20, 30, 255],
    lineWidthMinPixels: 1,
    stroked: true,
    pickable: true,
  });
}

export function alarmLayer(
  alarms: AlarmPoint[],
  options: { phase: number; selected: string | null; scale: number; onSelect: (incidentId: string) => void },
): Layer {
  const { phase, selected, scale } = options;
  return new ScatterplotLayer<AlarmPoint>({
    id: 'alarms',
    data: alarms,
    getPosition: (d) => d.position,
    getRadius: (d) => pulseRadius(d, phase) * scale,
    radiusUnits: 'pixels',
    getFillColor: (d) => (d.priority <= 1 ? [255, 59, 48, 170] : [255, 149, 0, 170]),
    getLineColor: (d) => (d.incidentId === selected ? [255, 255, 255, 255] : [255, 90, 80, 255]),
    lineWidthMinPixels: 2,
    stroked: true,
    pickable: true,
    onClick: (info: PickingInfo<AlarmPoint>) => {
      if (info.object) options.onSelect(info.object.incidentId);
    },
    updateTriggers: { getRadius: [phase], getLineColor: [selected] },
  });
}

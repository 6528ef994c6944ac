/**
 * The console/wall map: maplibre-gl with the offline style, and a deck.gl overlay drawing
 * district names, courts (labelled), field units (coloured by status, faded when their
 * position is stale) and alarms (pulsing). Owns the map, the overlay and the pulse timer.
 */
import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { MapboxOverlay } from '@deck.gl/mapbox';
import { ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import type { Layer, PickingInfo } from '@deck.gl/core';
import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue';
import { baseStyle, districtsUrl } from './map-style';
import {
  byLabelPriority,
  declutter,
  districtLabels,
  pulseRadius,
  unitColour,
  type AlarmPoint,
  type CourtPoint,
  type UnitPoint,
} from './map-data';

maplibregl.setWorkerUrl(workerUrl);

const FONT = 'Noto Sans CJK SC, Noto Sans SC, sans-serif';
const BEIJING: [number, number, number, number] = [115.42, 39.44, 117.51, 41.06];

export interface MapInputs {
  courts: () => CourtPoint[];
  units: () => UnitPoint[];
  alarms: () => AlarmPoint[];
  selectedId: () => string | null;
  onSelect: (incidentId: string) => void;
  tooltip: (info: PickingInfo) => string | null;
  /** Bigger marks and text for the wall. */
  large?: boolean;
}

export function useConsoleMap(container: Ref<HTMLElement | null>, inputs: MapInputs) {
  let map: maplibregl.Map | undefined;
  let overlay: MapboxOverlay | undefined;
  let pulseTimer: ReturnType<typeof setInterval> | undefined;
  let phase = 0;
  let districts: { name: string; position: [number, number] }[] = [];
  /** Court codes whose label fits at the current view (recomputed when the view settles). */
  let labelled = new Set<string>();
  const scale = inputs.large ? 1.6 : 1;
  const labelSize = 13 * scale;

  function placeLabels(): void {
    if (!map) return;
    const view = map;
    const boxes = byLabelPriority(inputs.courts()).map((c) => {
      const p = view.project(c.position);
      return { key: c.code, x: p.x + 10 * scale, y: p.y, width: c.label.length * labelSize, height: labelSize * 1.2 };
    });
    labelled = declutter(boxes);
  }

  function layers(): Layer[] {
    const selected = inputs.selectedId();
    return [
      new TextLayer<{ name: string; position: [number, number] }>({
        id: 'district-names',
        data: districts,
        getPosition: (d) => d.position,
        getText: (d) => d.name,
        getSize: 12 * scale,
        getColor: [120, 160, 210, 150],
        fontFamily: FONT,
        characterSet: 'auto',
      }),
      new ScatterplotLayer<CourtPoint>({
        id: 'courts',
        data: inputs.courts(),
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
        data: inputs.courts().filter((c) => labelled.has(c.code)),
        getPosition: (d) => d.position,
        getText: (d) => d.label,
        getSize: labelSize,
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
      new ScatterplotLayer<UnitPoint>({
        id: 'units',
        data: inputs.units(),
        getPosition: (d) => d.position,
        getRadius: 5 * scale,
        radiusUnits: 'pixels',
        getFillColor: (d) => unitColour(d.status, d.ageS),
        getLineColor: [10, 20, 30, 255],
        lineWidthMinPixels: 1,
        stroked: true,
        pickable: true,
        updateTriggers: { getFillColor: [Math.floor(Date.now() / 60_000)] },
      }),
      new ScatterplotLayer<AlarmPoint>({
        id: 'alarms',
        data: inputs.alarms(),
        getPosition: (d) => d.position,
        getRadius: (d) => pulseRadius(d, phase) * scale,
        radiusUnits: 'pixels',
        getFillColor: (d) => (d.priority <= 1 ? [255, 59, 48, 170] : [255, 149, 0, 170]),
        getLineColor: (d) => (d.incidentId === selected ? [255, 255, 255, 255] : [255, 90, 80, 255]),
        lineWidthMinPixels: 2,
        stroked: true,
        pickable: true,
        onClick: (info: PickingInfo<AlarmPoint>) => {
          if (info.object) inputs.onSelect(info.object.incidentId);
        },
        updateTriggers: { getRadius: [phase], getLineColor: [selected] },
      }),
    ];
  }

  const redraw = (): void => overlay?.setProps({ layers: layers() });

  /** Pulse at ~8 frames a second, only while some incident is open (cheap on software WebGL). */
  function pulse(): void {
    const open = inputs.alarms().some((a) => a.status === 'open');
    if (open && !pulseTimer) {
      pulseTimer = setInterval(() => {
        phase = (phase + 0.125) % 1;
        redraw();
      }, 125);
    } else if (!open && pulseTimer) {
      clearInterval(pulseTimer);
      pulseTimer = undefined;
    }
  }

  onMounted(async () => {
    if (!container.value) return;
    let data: GeoJSON.FeatureCollection | undefined;
    try {
      data = (await (await fetch(districtsUrl)).json()) as GeoJSON.FeatureCollection;
      districts = districtLabels(data.features);
    } catch {
      districts = [];
    }
    map = new maplibregl.Map({
      container: container.value,
      style: baseStyle(data ?? { type: 'FeatureCollection', features: [] }, !!inputs.large),
      bounds: BEIJING,
      fitBoundsOptions: { padding: 20 },
      attributionControl: false,
      dragRotate: false,
      pitchWithRotate: false,
    });
    overlay = new MapboxOverlay({ interleaved: false, layers: layers(), getTooltip: (info) => inputs.tooltip(info) });
    map.addControl(overlay as unknown as maplibregl.IControl);
    map.once('load', () => {
      placeLabels();
      redraw();
      container.value?.setAttribute('data-map-ready', 'true');
    });
    map.on('moveend', () => {
      placeLabels();
      redraw();
    });
    pulse();
  });

  watch(inputs.courts, placeLabels);
  watch([inputs.courts, inputs.units, inputs.alarms, inputs.selectedId], () => {
    redraw();
    pulse();
  });

  onBeforeUnmount(() => {
    if (pulseTimer) clearInterval(pulseTimer);
    if (overlay && map) map.removeControl(overlay as unknown as maplibregl.IControl);
    map?.remove();
    map = undefined;
    overlay = undefined;
  });

  /** Centres the map on a point (e.g. the selected incident). */
  function flyTo(position: [number, number]): void {
    map?.easeTo({ center: position, zoom: Math.max(map.getZoom(), 10), duration: 600 });
  }

  return { flyTo };
}

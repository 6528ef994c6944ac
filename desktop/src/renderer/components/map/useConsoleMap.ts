/**
 * The console/wall map: maplibre-gl with the offline style, and a deck.gl overlay drawing
 * district names, courts (labelled), field units (coloured by status, faded when their
 * position is stale) and alarms (pulsing). Owns the map, the overlay and the pulse timer.
 */
import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { MapboxOverlay } from '@deck.gl/mapbox';
import type { Layer, PickingInfo } from '@deck.gl/core';
import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue';
import { baseStyle, districtsUrl } from './map-style';
import { byLabelPriority, declutter, districtLabels, type AlarmPoint, type CourtPoint, type UnitPoint } from './map-data';
import { alarmLayer, courtLayers, districtNameLayer, labelSizeOf, unitLayer } from './map-layers';

maplibregl.setWorkerUrl(workerUrl);

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
  const labelSize = labelSizeOf(scale);

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
    return [
      districtNameLayer(districts, scale),
      ...courtLayers(inputs.courts(), labelled, scale),
      unitLayer(inputs.units(), scale),
      alarmLayer(inputs.alarms(), { phase, selected: inputs.selectedId(), scale, onSelect: inputs.onSelect }),
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

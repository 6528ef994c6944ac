import { describe, expect, it } from 'vitest';
import { parseArgs } from './args.js';
import { chromiumWindowArgs, wallUrl } from './desktop-opener.js';
import { assignDisplays, parseXrandrMonitors } from './displays.js';
import { LineSplitter } from './lines.js';
import { formatLogLine } from './log-format.js';

const XRANDR = `Monitors: 3
 0: +*DUMMY0 1920/508x1080/286+0+0  DUMMY0
 1: +DUMMY1 3840/1016x2160/572+1920+0  DUMMY1
 2: +DUMMY2 1920/508x1080/286+5760+0  DUMMY2
`;

describe('displays', () => {
  it('reads monitors from xrandr and puts the console on the primary one', () => {
    const displays = parseXrandrMonitors(XRANDR);
    expect(displays.map((d) => [d.name, d.x, d.width, d.height, d.primary])).toEqual([
      ['DUMMY0', 0, 1920, 1080, true],
      ['DUMMY1', 1920, 3840, 2160, false],
      ['DUMMY2', 5760, 1920, 1080, false],
    ]);
    const { console: consoleDisplay, walls } = assignDisplays(displays);
    expect(consoleDisplay.name).toBe('DUMMY0');
    expect(walls.map((w) => w.name)).toEqual(['DUMMY1', 'DUMMY2']);
  });

  it('opens each wall window fullscreen at its display', () => {
    const wall = parseXrandrMonitors(XRANDR)[1]!;
    const args = chromiumWindowArgs(wallUrl('http://127.0.0.1:8700/#/wall', wall), wall, '/tmp/p', true);
    expect(args).toContain('--app=http://127.0.0.1:8700/#/wall?display=1&name=DUMMY1');
    expect(args).toContain('--window-position=1920,0');
    expect(args).toContain('--window-size=3840,2160');
    expect(args).toContain('--start-fullscreen');
    expect(args).toContain('--disable-background-networking');
  });
});

describe('launcher plumbing', () => {
  it('parses its options and rejects unknown ones', () => {
    expect(parseArgs(['--headless', '--config', 'cc.json'])).toEqual({ headless: true, config: 'cc.json', help: false });
    expect(parseArgs(['--config=x.json']).config).toBe('x.json');
    expect(() => parseArgs(['--fast'])).toThrow(/unknown option --fast/);
  });

  it('splits child output into lines across chunks', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    splitter.push('{"a":1}\n{"b"');
    splitter.push(':2}\npartial');
    splitter.flush();
    expect(lines).toEqual(['{"a":1}', '{"b":2}', 'partial']);
  });

  it('renders a JSON log line for a terminal', () => {
    const line = formatLogLine(
      '{"level":"warn","time":"2026-11-21T10:00:01.000Z","service":"sfu","pid":1,"msg":"worker died","worker":0}',
      'sfu',
    );
    expect(line).toBe('10:00:01 WRN sfu           worker died  worker=0');
    expect(formatLogLine('plain text', 'hub')).toBe('hub           plain text');
  });
});

/**
 * The demo's duty and wall set-up: duty posts with a week's roster, the officers of the current
 * shift signed in, a few duty-log entries; one 3 × 4 monitor wall with daily, consultation and
 * emergency scenes, a camera tour and schedules.
 */
import type { DutyPost, SceneBody, ScheduleBody, TourBody, WallBody } from '@cc/protocol';
import type { Db } from '../store/database.js';
import * as duty from '../duty/repository.js';
import { recordRollCall } from '../duty/roll-calls.js';
import { putDoc } from '../walls/documents.js';
import { CENTRE_COURT, type DemoCourt, type DemoPerson, type DemoUnit } from './organisation.js';
import type { SeededRandom } from './random.js';

const HOUR = 3_600_000;
/** 00:00 China time of the day containing `ms`. */
const chinaMidnight = (ms: number): number => Math.floor((ms + 8 * HOUR) / (24 * HOUR)) * 24 * HOUR - 8 * HOUR;

export function insertDuty(
  db: Db,
  r: SeededRandom,
  courts: readonly DemoCourt[],
  people: readonly DemoPerson[],
  now: number,
): { posts: number; roster: number } {
  const dispatch = duty.insertPost(db, {
    id: 'post-centre-dispatch',
    name: '指挥中心调度席',
    court: CENTRE_COURT,
    description: '接警、调度、指令下达',
  });
  const chief = duty.insertPost(db, {
    id: 'post-centre-chief',
    name: '指挥中心值班长席',
    court: CENTRE_COURT,
    description: '值班长：审核督办、协调会商',
  });
  const courtPosts = courts.map((c) => duty.insertPost(db, { id: `post-${c.code}`, name: '执行局值班室', court: c.code, description: '' }));
  const officers = people.filter((p) => p.role === 'duty_officer');
  const leaders = people.filter((p) => p.role === 'leader' && p.court === CENTRE_COURT);
  const today = chinaMidnight(now);
  let roster = 0;
  const plan = (postId: string, person: DemoPerson, from: number, to: number, note = ''): void => {
    duty.insertRosterEntry(db, {
      postId,
      personId: person.id,
      startsAt: new Date(from).toISOString(),
      endsAt: new Date(to).toISOString(),
      note,
    });
    roster++;
  };
  for (let day = -1; day < 7; day++) {
    const base = today + day * 24 * HOUR;
    plan(dispatch.id, officers[(2 * (day + 1)) % officers.length]!, base + 8 * HOUR, base + 20 * HOUR, '白班');
    plan(dispatch.id, officers[(2 * (day + 1) + 1) % officers.length]!, base + 20 * HOUR, base + 32 * HOUR, '夜班');
    plan(chief.id, leaders[(day + 1) % leaders.length]!, base + 8 * HOUR, base + 32 * HOUR, '24小时值班长');
    for (const post of courtPosts) {
      const person = people.find((p) => p.username === `c${post.court}-duty`)!;
      plan(post.id, person, base + 8.5 * HOUR, base + 17.5 * HOUR);
    }
  }
  // Whoever the roster puts on the centre's posts now is signed in.
  for (const entry of duty.listRoster(db, {
    from: new Date(now).toISOString(),
    to: new Date(now + 1).toISOString(),
    court: CENTRE_COURT,
  })) {
    duty.signIn(
      db,
      entry.postId,
      entry.personId,
      new Date(Math.max(Date.parse(entry.startsAt), now - 8 * HOUR) + r.int(0, 15) * 60_000).toISOString(),
    );
  }
  const texts: [string, 'note' | 'call' | 'alarm' | 'equipment' | 'instruction'][] = [
    ['接班：大屏、会商终端、单兵设备运行正常', 'equipment'],
    ['朝阳区法院执行现场请求视频连线，已接入大屏', 'call'],
    ['海淀区法院单兵3 SOS 告警，确认为误触，已回访', 'alarm'],
    ['向各区法院下发本周集中执行行动指令', 'instruction'],
    ['丰台区法院报告：被执行人财产已查封，申请远程指挥', 'call'],
    ['夜间巡查：各法院值班室视频点名均在岗', 'note'],
  ];
  texts.forEach(([text, kind], i) => {
    const at = new Date(now - (texts.length - i) * 2 * HOUR).toISOString();
    const author = officers[i % officers.length]!;
    duty.appendLog(db, {
      at,
      recordedAt: at,
      postId: dispatch.id,
      court: CENTRE_COURT,
      authorId: author.id,
      authorName: author.name,
      kind,
      text,
    });
  });
  rollCallYesterday(db, r, courtPosts, people, today, officers[0]!);
  return { posts: 2 + courtPosts.length, roster };
}

/** Yesterday afternoon's 查岗 of every court's duty room: most answered in time, a few late, one absent. */
function rollCallYesterday(
  db: Db,
  r: SeededRandom,
  posts: readonly DutyPost[],
  people: readonly DemoPerson[],
  today: number,
  by: DemoPerson,
): void {
  const startedAt = today - 24 * HOUR + 15 * HOUR;
  const deadlineAt = startedAt + 120_000;
  recordRollCall(db, {
    id: 'rollcall-demo-1',
    startedBy: by.id,
    startedAt: new Date(startedAt).toISOString(),
    deadlineAt: new Date(deadlineAt).toISOString(),
    closedAt: new Date(deadlineAt + 120_000).toISOString(),
    note: '下午例行查岗',
    posts: posts.map((post) => {
      const status = r.weighted([
        ['answered', 20],
        ['late', 3],
        ['absent', 1],
      ] as const);
      const answeredAt =
        status === 'answered' ? startedAt + r.int(5, 110) * 1000 : status === 'late' ? deadlineAt + r.int(5, 110) * 1000 : null;
      const answeredBy = answeredAt === null ? null : (people.find((p) => p.username === `c${post.court}-duty`)?.id ?? null);
      return { postId: post.id, status, answeredAt: answeredAt === null ? null : new Date(answeredAt).toISOString(), answeredBy };
    }),
  });
}

const COL = [0, 1930, 3860, 5790];
const ROW = [0, 1090, 2180];
const w = (
  id: string,
  title: string,
  kind: SceneBody['windows'][number]['source']['kind'],
  ref: string,
  x: number,
  y: number,
  width: number,
  height: number,
) => ({
  id,
  title,
  source: { kind, ref },
  rect: { x, y, w: width, h: height },
  z: 0,
});

export const DEMO_WALL_ID = 'wall-centre';
export const DEMO_DAILY_SCENE = 'scene-daily';

export function insertWall(db: Db, units: readonly DemoUnit[], devicesOf: (unitId: string) => string[], now: number): { scenes: number } {
  const at = new Date(now).toISOString();
  const put = <B>(kind: 'wall' | 'scene' | 'tour' | 'schedule', id: string, wallId: string | null, body: B): void => {
    putDoc<B>(db, kind, { id, wallId, version: 1, body, updatedBy: '演示数据', at });
  };
  const wall: WallBody = {
    name: '指挥中心主屏（3×4 拼接）',
    layout: {
      kind: 'grid',
      rows: 3,
      cols: 4,
      monitor: { widthPx: 1920, heightPx: 1080, activeWidthMm: 698.4, activeHeightMm: 392.9, bezelMm: 1.75 },
    },
    displays: COL.map((x, i) => ({ displayId: `output-${i + 1}`, label: `第${i + 1}列`, rect: { x, y: 0, w: 1920, h: 3260 } })),
  };
  put('wall', DEMO_WALL_ID, null, wall);
  const cameras = units
    .filter((u) => u.kind !== 'team')
    .flatMap((u) => devicesOf(u.id))
    .slice(0, 12);
  const scenes: [string, SceneBody][] = [
    [
      DEMO_DAILY_SCENE,
      {
        name: '日常值守',
        windows: [
          w('map', '法院与单兵分布', 'map', '', COL[0]!, 0, 3850, 3260),
          w('stats', '执行指标', 'stats', 'province', COL[2]!, 0, 3850, 1080),
          w('cases', '超期节点', 'cases', 'overdue', COL[2]!, ROW[1]!, 1920, 2170),
          w('alarms', '告警', 'alarms', '', COL[3]!, ROW[1]!, 1920, 1080),
          w('duty', '值班', 'duty', '', COL[3]!, ROW[2]!, 1920, 1080),
        ],
      },
    ],
    [
      'scene-consultation',
      {
        name: '远程会商',
        windows: [
          w('room', '会商', 'consultation', 'default', 0, 0, 5780, 3260),
          w('map', '地图', 'map', '', COL[3]!, 0, 1920, 1080),
          w('stats', '指标', 'stats', 'province', COL[3]!, ROW[1]!, 1920, 2170),
        ],
      },
    ],
    [
      'scene-emergency',
      {
        name: '应急处置',
        windows: [
          w('alarms', '告警', 'alarms', '', 0, 0, 1920, 3260),
          w('video', '现场视频', 'device', cameras[0] ?? '', COL[1]!, 0, 3850, 2170),
          w('map', '附近法院与单兵', 'map', 'nearest', COL[3]!, 0, 1920, 3260),
          w('duty', '处置记录', 'duty', 'incident', COL[1]!, ROW[2]!, 3850, 1080),
        ],
      },
    ],
  ];
  for (const [id, body] of scenes) put('scene', id, DEMO_WALL_ID, body);
  const tour: TourBody = {
    name: '单兵视频轮巡',
    target: { sceneId: 'scene-emergency', windowId: 'video' },
    steps: cameras.map((ref) => ({ kind: 'source' as const, source: { kind: 'device' as const, ref }, dwellS: 20 })),
    loop: true,
  };
  put('tour', 'tour-cameras', DEMO_WALL_ID, tour);
  const schedules: [string, ScheduleBody][] = [
    [
      'schedule-daily',
      {
        name: '工作日日常值守',
        activate: { kind: 'scene', id: DEMO_DAILY_SCENE },
        days: [1, 2, 3, 4, 5],
        start: '08:00',
        end: '18:00',
        utcOffsetMin: 480,
        priority: 0,
        enabled: true,
      },
    ],
    [
      'schedule-weekly-consultation',
      {
        name: '周三例行会商',
        activate: { kind: 'scene', id: 'scene-consultation' },
        days: [3],
        start: '09:00',
        end: '11:00',
        utcOffsetMin: 480,
        priority: 5,
        enabled: true,
      },
    ],
  ];
  for (const [id, body] of schedules) put('schedule', id, DEMO_WALL_ID, body);
  return { scenes: scenes.length };
}

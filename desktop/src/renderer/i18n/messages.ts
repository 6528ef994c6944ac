/** UI strings: zh-CN (default) and en. Every user-visible string lives here. */
export const messages = {
  'zh-CN': {
    app: { title: '执行指挥中心', console: '值班台', wall: '大屏', setup: '设置', language: 'English' },
    status: {
      connecting: '连接中',
      online: '在线',
      offline: '离线',
      reconnecting: '重连中',
      services: '服务状态',
      hub: '中心服务',
      sfu: '音视频服务',
      'device-bridge': '设备接入服务',
      uptime: '运行 {s} 秒',
      lastChecked: '最后检测 {t}',
    },
    wall: { display: '第 {n} 屏', waiting: '等待预案' },
  },
  en: {
    app: { title: 'Enforcement Command Center', console: 'Console', wall: 'Wall', setup: 'Setup', language: '中文' },
    status: {
      connecting: 'Connecting',
      online: 'Online',
      offline: 'Offline',
      reconnecting: 'Reconnecting',
      services: 'Services',
      hub: 'Hub',
      sfu: 'Media (SFU)',
      'device-bridge': 'Device bridge',
      uptime: 'up {s} s',
      lastChecked: 'checked {t}',
    },
    wall: { display: 'Display {n}', waiting: 'Waiting for a scene' },
  },
} as const;

export type Locale = keyof typeof messages;

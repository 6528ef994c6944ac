import { createI18n } from 'vue-i18n';
import { messages, type Locale } from './messages';

const saved = (typeof localStorage !== 'undefined' && localStorage.getItem('cc.locale')) as Locale | null;

export const i18n = createI18n({
  legacy: false,
  locale: saved && saved in messages ? saved : 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages,
});

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  localStorage.setItem('cc.locale', locale);
  document.documentElement.lang = locale;
}

/** Locale-aware formatting of ages, times and distances with the i18n catalog. */
import { useI18n } from 'vue-i18n';

export function useFormat() {
  const { t, locale } = useI18n();
  const age = (seconds: number): string => {
    if (seconds < 60) return t('age.s', { n: seconds });
    if (seconds < 3600) return t('age.m', { n: Math.floor(seconds / 60) });
    if (seconds < 86400) return t('age.h', { n: Math.floor(seconds / 3600) });
    return t('age.d', { n: Math.floor(seconds / 86400) });
  };
  const time = (iso: string): string => new Date(iso).toLocaleTimeString(locale.value, { hour12: false });
  const dateTime = (iso: string): string => new Date(iso).toLocaleString(locale.value, { hour12: false });
  const km = (d: number): string => t('incident.km', { d: d < 10 ? d.toFixed(1) : Math.round(d) });
  return { age, time, dateTime, km };
}

/** Names node types in the UI language for every view that shows them (the catalog's `name`/`nameEn`). */
import { useI18n } from 'vue-i18n';
import { useSupervisionStore } from '../stores/supervision';

export function useNodeTypeName(): (code: string) => string {
  const { locale } = useI18n();
  const supervision = useSupervisionStore();
  return (code) => supervision.typeName(code, locale.value);
}

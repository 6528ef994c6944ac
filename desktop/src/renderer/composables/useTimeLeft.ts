/** Says a flow node's days left (临期) or overdue (超期) in the UI language, and whether its row should stand out. */
import { useI18n } from 'vue-i18n';
import { isPressing, type TimeLeft } from '../stores/deadline-model';
import { useSupervisionStore } from '../stores/supervision';

export function useTimeLeft(): { text: (left: TimeLeft) => string; pressing: (left: TimeLeft, type: string) => boolean } {
  const { t } = useI18n();
  const supervision = useSupervisionStore();
  const text = (left: TimeLeft): string => {
    if (left.kind === 'overdue') return t('deadline.overdue', { n: left.days }, left.days);
    return left.days === 0 ? t('deadline.today') : t('deadline.left', { n: left.days }, left.days);
  };
  /** Overdue, or within the node type's last warning threshold (the catalog's, once loaded). */
  const pressing = (left: TimeLeft, type: string): boolean => isPressing(left, supervision.nodeTypes[type]?.lastWarnDays);
  return { text, pressing };
}

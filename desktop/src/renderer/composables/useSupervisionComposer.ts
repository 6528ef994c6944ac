/**
 * The 督办 form next to a node (the case panel's node table and the 超期/临期 lists): which node's
 * form is open, its text and reply date, the error to show, and issuing the order.
 */
import { computed, ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { useSupervisionStore } from '../stores/supervision';
import { defaultDueDate } from '../stores/supervision-model';

/** What the form needs of a node. */
export interface ComposedNode {
  id: number;
  caseNo: string;
}

export function useSupervisionComposer() {
  const { t, locale } = useI18n();
  const supervision = useSupervisionStore();
  /** The node whose 督办 form is open. */
  const composing = ref<number | null>(null);
  const content = ref('');
  const dueAt = ref('');
  const errorText = computed(() => {
    const e = supervision.error;
    return e ? t('action.failed', { m: locale.value === 'zh-CN' ? e.messageZh : e.messageEn }) : '';
  });

  /** Opens the form on a node with a suggested text; the reply date defaults to the usual term. */
  function openFor(node: ComposedNode, text: string): void {
    composing.value = node.id;
    content.value = text;
    dueAt.value = defaultDueDate(Date.now());
  }

  /** Issues the order; the form closes when the hub took it and stays open with the error when not. */
  async function submit(node: ComposedNode): Promise<void> {
    const ok = await supervision.issue(node.id, {
      caseNo: node.caseNo,
      nodeId: node.id,
      content: content.value.trim(),
      dueAt: dueAt.value,
    });
    if (ok) composing.value = null;
  }

  return { composing, content, dueAt, errorText, openFor, submit };
}

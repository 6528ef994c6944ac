import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSSRApp, defineComponent, h } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { createI18n, useI18n } from 'vue-i18n';
import { messages, type Locale } from '../i18n/messages';
import { sessionDeps } from '../stores/session';
import { memoryTokenStorage } from '../stores/session-storage';
import { useSupervisionStore } from '../stores/supervision';
import { useNodeTypeName } from './useNodeTypeName';

/** A view like the node table's type cell and its 督办 text, rendered with the real i18n catalog. */
const NodeTypeCells = defineComponent({
  props: { codes: { type: Array<string>, required: true } },
  setup(props) {
    const { t } = useI18n();
    const typeName = useNodeTypeName();
    return () =>
      h('ul', [
        ...props.codes.map((code) => h('li', { 'data-type': code }, typeName(code))),
        h('li', { 'data-content': '' }, t('supervision.defaultContent', { type: typeName(props.codes[0]!), days: 2 })),
      ]);
  },
});

async function render(locale: Locale, codes: string[]): Promise<string> {
  const pinia = createPinia();
  setActivePinia(pinia);
  useSupervisionStore().nodeTypes = {
    network_inquiry: { name: '网络查控首次发起（立案即查）', nameEn: 'Network asset inquiry on filing' },
    local_check: { name: '本院自定节点' },
  };
  const i18n = createI18n({ legacy: false, locale, fallbackLocale: 'zh-CN', messages });
  const app = createSSRApp(NodeTypeCells, { codes }).use(pinia).use(i18n);
  return renderToString(app);
}

describe('useNodeTypeName', () => {
  beforeEach(() => {
    sessionDeps.storage = () => memoryTokenStorage(null);
  });

  it('shows the English name in an English view: the Chinese name without one, the code for an unknown type', async () => {
    const html = await render('en', ['network_inquiry', 'local_check', 'retired_type']);
    expect(html).toContain('<li data-type="network_inquiry">Network asset inquiry on filing</li>');
    expect(html).toContain('<li data-type="local_check">本院自定节点</li>');
    expect(html).toContain('<li data-type="retired_type">retired_type</li>');
    expect(html).toContain('&quot;Network asset inquiry on filing&quot; is 2 days overdue');
    expect(html).not.toContain('网络查控');
  });

  it('shows the Chinese name in a Chinese view', async () => {
    const html = await render('zh-CN', ['network_inquiry']);
    expect(html).toContain('<li data-type="network_inquiry">网络查控首次发起（立案即查）</li>');
    expect(html).not.toContain('Network asset inquiry');
  });
});

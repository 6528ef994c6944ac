import { describe, expect, it } from 'vitest';
import { createSSRApp, defineComponent, h } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { createI18n } from 'vue-i18n';
import { messages, type Locale } from '../i18n/messages';
import { defaultDueDate } from '../stores/supervision-model';
import { fakeHub } from '../testing/fake-hub';
import { useSupervisionComposer } from './useSupervisionComposer';

/** The composer as a component's setup gets it, with the real i18n catalog (useI18n needs a component). */
async function composer(locale: Locale, hub: ReturnType<typeof fakeHub>) {
  let got: ReturnType<typeof useSupervisionComposer> | undefined;
  const Probe = defineComponent({
    setup() {
      got = useSupervisionComposer();
      return () => h('div');
    },
  });
  const i18n = createI18n({ legacy: false, locale, fallbackLocale: 'zh-CN', messages });
  await renderToString(createSSRApp(Probe).use(hub.pinia).use(i18n));
  return got!;
}

describe('useSupervisionComposer (the 督办 form of the node table and the 超期/临期 lists)', () => {
  it('opens on a node with the suggested text and the usual reply date, issues the order and closes', async () => {
    const hub = fakeHub((r) =>
      r.method === 'POST' && r.path === '/api/v1/supervision' ? { status: 201, body: { id: 'o1', ...(r.body as object) } } : undefined,
    );
    const form = await composer('zh-CN', hub);
    form.openFor({ id: 7, caseNo: '(2026)京01执1号' }, '  请于三日内回复  ');
    expect([form.composing.value, form.content.value, form.dueAt.value]).toEqual([7, '  请于三日内回复  ', defaultDueDate(Date.now())]);
    await form.submit({ id: 7, caseNo: '(2026)京01执1号' });
    expect(hub.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/api/v1/supervision',
      body: { caseNo: '(2026)京01执1号', nodeId: 7, content: '请于三日内回复', dueAt: defaultDueDate(Date.now()) },
    });
    expect(form.composing.value).toBeNull();
    expect(form.errorText.value).toBe('');
  });

  it('keeps the form open with the hub’s reason in the chosen language when the order is refused', async () => {
    const refuse = () => ({ status: 403, body: { error: { code: 'forbidden', message: '无权执行此操作', messageEn: 'Not allowed' } } });
    const zh = await composer('zh-CN', fakeHub(refuse));
    zh.openFor({ id: 3, caseNo: 'C3' }, '请回复');
    await zh.submit({ id: 3, caseNo: 'C3' });
    expect(zh.composing.value).toBe(3);
    expect(zh.content.value).toBe('请回复');
    expect(zh.errorText.value).toContain('无权执行此操作');
    const en = await composer('en', fakeHub(refuse));
    en.openFor({ id: 3, caseNo: 'C3' }, 'Please reply');
    await en.submit({ id: 3, caseNo: 'C3' });
    expect(en.errorText.value).toContain('Not allowed');
  });
});

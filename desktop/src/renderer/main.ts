/** Renderer entry: sign-in, console and wall, in one Vue app. */
import './zod-setup';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { i18n } from './i18n';

createApp(App).use(createPinia()).use(i18n).mount('#app');

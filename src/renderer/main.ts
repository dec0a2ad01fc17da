import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { apiKey, createTransport } from './api';
import { useUiStore } from './stores/ui';
import './styles.css';

const transport = createTransport();
const pinia = createPinia();
const app = createApp(App);
app.use(pinia);
app.provide(apiKey, transport.client);
// Set before mounting so the first render already knows whether the host is reachable.
transport.onStatus((status) => {
  useUiStore(pinia).connection = status;
});
app.mount('#app');

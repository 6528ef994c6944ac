/** A ticking `now` (ms) for clocks and position ages; the timer stops with the component. */
import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';

export function useClock(intervalMs = 1000): Ref<number> {
  const now = ref(Date.now());
  let timer: ReturnType<typeof setInterval> | undefined;
  onMounted(() => {
    timer = setInterval(() => (now.value = Date.now()), intervalMs);
  });
  onBeforeUnmount(() => {
    if (timer) clearInterval(timer);
  });
  return now;
}

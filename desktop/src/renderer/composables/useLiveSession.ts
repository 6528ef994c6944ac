/**
 * Keeps the signed-in views live: connects the event link with the session token, loads and
 * follows the stores, and tears it all down on sign-out. A failed reconnection asks the hub
 * whether the session still holds (a 401 there returns to the sign-in screen).
 */
import { onBeforeUnmount, watch } from 'vue';
import { useAlarmsStore } from '../stores/alarms';
import { useLinkStore } from '../stores/link';
import { useOrgStore } from '../stores/org';
import { useSessionStore } from '../stores/session';

/** `follow`: further stores' follow() (each returns its unsubscribe), started and stopped with the session. */
export function useLiveSession(options: { onAlarm?: () => void; follow?: (() => () => void)[] } = {}): void {
  const session = useSessionStore();
  const link = useLinkStore();
  const alarms = useAlarmsStore();
  const org = useOrgStore();
  let stop: (() => void) | undefined;

  const begin = (token: string): void => {
    const offs = [alarms.follow(), org.follow(), ...(options.follow ?? []).map((follow) => follow())];
    if (options.onAlarm) offs.push(link.on('alarm.raised', options.onAlarm));
    link.connect(token, (attempt) => {
      if (attempt >= 2) void session.verify();
    });
    stop = () => {
      offs.forEach((off) => off());
      link.disconnect();
    };
  };

  watch(
    () => (session.state === 'signed_in' ? session.token : null),
    (token) => {
      stop?.();
      stop = undefined;
      if (token) begin(token);
    },
    { immediate: true },
  );
  onBeforeUnmount(() => stop?.());
}

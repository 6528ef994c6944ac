/** A timer that fires at each China midnight, for countdowns that move on a day with no hub event. */
import { nextChinaMidnight } from './deadline-model';

/** Runs `run` at every 00:00 China time until the returned function stops it (the caller owns the timer). */
export function everyChinaMidnight(run: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    timer = setTimeout(
      () => {
        run();
        arm();
      },
      nextChinaMidnight(Date.now()) - Date.now(),
    );
  };
  arm();
  return () => clearTimeout(timer);
}

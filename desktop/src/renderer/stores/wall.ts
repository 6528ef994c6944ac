/** The wall this window belongs to and what is active on it (store `wall`): the active scene or tour's name, following `wall.activated`. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useLinkStore } from './link';
import { useSessionStore } from './session';

export interface ActiveOnWall {
  kind: 'scene' | 'tour';
  id: string;
  name: string;
}

export const useWallStore = defineStore('wall', () => {
  const session = useSessionStore();
  const link = useLinkStore();
  const wallId = ref<string | null>(null);
  const wallName = ref('');
  const active = ref<ActiveOnWall | null>(null);
  /** Counts loads: the walls an overtaken load found are older than the newer load's. */
  let loads = 0;
  /**
   * Counts what may say what is active (loads and activations heard): an answer overtaken by a newer one
   * is dropped, so a slower answer about an earlier activation does not bring back its scene or tour.
   */
  let activations = 0;

  /** `mine`: the activation count this answer is for. */
  async function showActive(kind: 'scene' | 'tour', id: string, mine: number): Promise<void> {
    if (!wallId.value) return;
    const doc = await session.api.wallDoc(wallId.value, kind, id);
    if (mine === activations) active.value = { kind, id, name: doc.body.name };
  }

  /** `preferred`: the wall named in the window's URL; else the first wall the hub knows. */
  async function load(preferred: string | null = null): Promise<void> {
    const mine = ++loads;
    const activation = ++activations;
    try {
      const walls = await session.api.walls();
      if (mine !== loads) return;
      const wall = walls.find((w) => w.id === preferred) ?? walls[0];
      wallId.value = wall?.id ?? null;
      wallName.value = wall?.body.name ?? '';
      if (!wall) {
        active.value = null;
        return;
      }
      const state = await session.api.wallState(wall.id);
      // An activation heard meanwhile is newer than this state.
      if (activation !== activations) return;
      if (state.active) await showActive(state.active.kind, state.active.id, activation);
      else active.value = null;
    } catch {
      // No walls module on this hub: the wall shows its default board.
    }
  }

  function follow(preferred: string | null = null): () => void {
    const offs = [
      link.on('wall.activated', (d) => {
        if (d.wallId === wallId.value) void showActive(d.kind, d.id, ++activations).catch(() => undefined);
      }),
      link.on('wall.document', (d) => {
        if (d.kind === 'wall' || (active.value && d.id === active.value.id)) void load(preferred);
      }),
      link.onResync(() => void load(preferred)),
    ];
    return () => {
      offs.forEach((off) => off());
      loads++;
      activations++;
      wallId.value = null;
      wallName.value = '';
      active.value = null;
    };
  }

  return { wallId, wallName, active, load, follow };
});

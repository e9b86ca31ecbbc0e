/**
 * PrimedLoader (src/platform/primed-loader.ts): `value(key)` hands a primed value over at once and
 * otherwise answers as `load(key)`; it never answers anything `load` would not.
 */
import { PrimedLoader } from '../../src/platform/primed-loader';

/** A loader whose batch answers `loaded:<key>` and records the keys it was asked for. */
function loader() {
  const batches: number[][] = [];
  const l = new PrimedLoader<number, string>(async (keys) => {
    batches.push([...keys]);
    return keys.map((k) => `loaded:${k}`);
  });
  return { l, batches };
}

describe('PrimedLoader', () => {
  it('gives a primed value synchronously, and loads what was not primed', async () => {
    const { l, batches } = loader();
    l.prime(1, 'primed:1');
    expect(l.value(1)).toBe('primed:1');
    const other = l.value(2);
    expect(other).toBeInstanceOf(Promise);
    expect(await other).toBe('loaded:2');
    expect(batches).toEqual([[2]]);
    expect(await l.load(1)).toBe('primed:1');
  });

  it('answers as load does: a prime after a load changes neither', async () => {
    const { l } = loader();
    expect(await l.load(1)).toBe('loaded:1');
    l.prime(1, 'primed:1'); // DataLoader keeps the loaded value
    expect(await l.value(1)).toBe('loaded:1');
    expect(await l.load(1)).toBe('loaded:1');
    l.prime(3, 'first');
    l.prime(3, 'second'); // the first prime stays
    expect(l.value(3)).toBe('first');
  });

  it('forgets a cleared value, and takes a new prime after clear', async () => {
    const { l } = loader();
    l.prime(1, 'old');
    l.clear(1).prime(1, 'new');
    expect(l.value(1)).toBe('new');
    l.clearAll();
    expect(await l.value(1)).toBe('loaded:1');
  });

  it('keys by cacheKeyFn, and never hands out a primed error or promise synchronously', async () => {
    const l = new PrimedLoader<{ id: number }, string, number>(async (keys) => keys.map((k) => `loaded:${k.id}`), {
      cacheKeyFn: (k) => k.id,
    });
    l.prime({ id: 1 }, 'primed:1');
    expect(l.value({ id: 1 })).toBe('primed:1');
    l.prime({ id: 2 }, new Error('gone'));
    await expect(l.value({ id: 2 })).rejects.toThrow('gone');
    l.prime({ id: 3 }, Promise.resolve('later'));
    const later = l.value({ id: 3 });
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toBe('later');
  });
});

package org.jdlm.dlm.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * How recovery traffic to one peer is cut into messages (docs/recovery.md §3, "Batches"). A
 * survivor sends the names it must look up to each directory node, and the locks it must resend to
 * each new master, as a few bounded batches instead of one message per resource: per-resource
 * messages made REMASTER and REBUILD_LOCKS cost one remote round trip per resource, and a burst of
 * 100,000 of them overflowed Artery's outbound queue (3,072 messages by default), whose drops left
 * the phase barrier waiting forever.
 *
 * <p>The bound is a count of items (names, or locks) per batch, {@code
 * jdlm.dlm-actors.recovery-batch-size}: a batch must fit in one Artery frame, and its size grows
 * with the items it carries. Order is kept: concatenating the batches gives back the input, so a
 * resource's locks still reach the new master grant queue first, then convert, then wait (semantics §6.3
 * step 11), even when one resource's locks span two batches.
 */
public final class RecoveryBatches {

  private RecoveryBatches() {}

  /**
   * {@code items} in consecutive batches of at most {@code max} items each, in order; none for no
   * items.
   *
   * @throws IllegalArgumentException if {@code max} is not positive
   */
  public static <T> List<List<T>> ofItems(List<T> items, int max) {
    checkMax(max);
    List<List<T>> out = new ArrayList<>((items.size() + max - 1) / max);
    for (int from = 0; from < items.size(); from += max) {
      out.add(List.copyOf(items.subList(from, Math.min(items.size(), from + max))));
    }
    return out;
  }

  /**
   * Groups of items (a resource and its locks) in consecutive batches of at most {@code max} items
   * in all. A group that does not fit in the current batch is split: its first items end this batch
   * and the rest start the next, so batches are as full as the bound allows (the fewest batches,
   * {@code ceil(items / max)}). Each batch lists its share of each group as one
   * {@code part(key, items)}; groups without items produce nothing.
   *
   * @throws IllegalArgumentException if {@code max} is not positive
   */
  public static <K, V, P> List<List<P>> ofGroups(List<Map.Entry<K, List<V>>> groups, int max,
      BiFunction<K, List<V>, P> part) {
    checkMax(max);
    List<List<P>> out = new ArrayList<>();
    List<P> batch = new ArrayList<>();
    int room = max;
    for (Map.Entry<K, List<V>> group : groups) {
      List<V> items = group.getValue();
      int from = 0;
      while (from < items.size()) {
        int take = Math.min(room, items.size() - from);
        batch.add(part.apply(group.getKey(), List.copyOf(items.subList(from, from + take))));
        from += take;
        room -= take;
        if (room == 0) {
          out.add(List.copyOf(batch));
          batch.clear();
          room = max;
        }
      }
    }
    if (!batch.isEmpty()) {
      out.add(List.copyOf(batch));
    }
    return out;
  }

  private static void checkMax(int max) {
    if (max <= 0) {
      throw new IllegalArgumentException("a recovery batch holds at least one item, got a bound of " + max);
    }
  }
}

package org.jdlm.dlm.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What a member sends in the phases of a recovery run that move directory records and locks
 * (semantics §6.3 steps 7, 10 and 11; fs/dlm {@code recover.c}): to whom, in which batches, and
 * what it keeps for itself. Pure functions; the {@code Lockspace} actor sends the batches through
 * {@link PhaseWork}, and the lockspace simulation plans its DIRECTORY phase with the same function.
 * {@code R} is a member, {@code D} a node as the directory names it, {@code N} a resource name.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li><b>DIRECTORY: every member of the view hears from every master</b>, with the names it is
 *       the directory node of, possibly none: each answer is part of the phase's barrier, so an
 *       empty registration still goes out ({@link #registrations}).</li>
 *   <li><b>REMASTER: a name whose master departed is looked up at its new directory node</b>, in
 *       batches per node; names this member is the directory node of are settled here without a
 *       message ({@link #lookups}).</li>
 *   <li><b>REBUILD_LOCKS: a member resends its lock copies to each new master</b>, grouped by
 *       resource in batches per master; resources with nothing to resend send nothing, and those
 *       this member now masters go straight to the resource ({@link #resends}).</li>
 * </ol>
 */
public final class PhasePlan {

  private PhasePlan() {}

  /**
   * Rule 1: for each member of {@code view} (in its order), the names among {@code mastered} whose
   * directory node it is.
   *
   * @throws IllegalStateException if a name's directory node is not a member of the view (the
   *                               directory was computed from another view: a bug)
   */
  public static <R, D, N> Map<R, List<N>> registrations(Collection<R> view, Collection<N> mastered,
      Function<R, D> nodeOf, Function<N, D> directoryNodeOf) {
    Map<D, List<N>> byNode = new LinkedHashMap<>();
    Map<R, List<N>> out = new LinkedHashMap<>();
    for (R member : view) {
      List<N> names = new ArrayList<>();
      byNode.put(nodeOf.apply(member), names);
      out.put(member, names);
    }
    for (N name : mastered) {
      List<N> names = byNode.get(directoryNodeOf.apply(name));
      if (names == null) {
        throw new IllegalStateException("directory node " + directoryNodeOf.apply(name) + " of " + name
            + " is not in the view " + byNode.keySet());
      }
      names.add(name);
    }
    return out;
  }

  /** Rule 2: batches of lookups per remote directory node, and the names this member settles itself. */
  public record Lookups<D, N>(Map<D, List<List<N>>> remote, List<N> own) {}

  /** Rule 2. {@code batchSize}: {@code recovery-batch-size}. */
  public static <D, N> Lookups<D, N> lookups(Collection<N> lost, Function<N, D> directoryNodeOf, D self,
      int batchSize) {
    Map<D, List<N>> byNode = new LinkedHashMap<>();
    for (N name : lost) {
      byNode.computeIfAbsent(directoryNodeOf.apply(name), n -> new ArrayList<>()).add(name);
    }
    List<N> own = Objects.requireNonNullElse(byNode.remove(self), List.of());
    Map<D, List<List<N>>> remote = new LinkedHashMap<>();
    byNode.forEach((node, names) -> remote.put(node, RecoveryBatches.ofItems(names, batchSize)));
    return new Lookups<>(remote, List.copyOf(own));
  }

  /** Rule 3: batches per remote master (each a list of groups), and the resources this member now masters. */
  public record Resends<R, N, L, G>(Map<R, List<List<G>>> remote, Map<N, List<L>> own) {}

  /**
   * Rule 3. {@code locksOf} gives this member's copies to resend for a name and its new master (asked
   * once per name, in {@code remastered}'s order); {@code group} makes one batch part of a name and
   * locks, so that a resource's locks may continue in the next batch.
   */
  public static <R, N, L, G> Resends<R, N, L, G> resends(Map<N, R> remastered, BiFunction<N, R, List<L>> locksOf,
      R self, int batchSize, BiFunction<N, List<L>, G> group) {
    Map<N, List<L>> own = new LinkedHashMap<>();
    Map<R, List<Map.Entry<N, List<L>>>> byMaster = new LinkedHashMap<>();
    for (Map.Entry<N, R> e : remastered.entrySet()) {
      List<L> locks = locksOf.apply(e.getKey(), e.getValue());
      if (locks.isEmpty()) {
        continue;
      }
      if (e.getValue().equals(self)) {
        own.put(e.getKey(), locks);
      } else {
        byMaster.computeIfAbsent(e.getValue(), r -> new ArrayList<>()).add(Map.entry(e.getKey(), locks));
      }
    }
    Map<R, List<List<G>>> remote = new LinkedHashMap<>();
    byMaster.forEach((master, groups) -> remote.put(master, RecoveryBatches.ofGroups(groups, batchSize, group)));
    return new Resends<>(remote, own);
  }
}

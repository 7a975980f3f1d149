package org.jdlm.dlm.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Where one member sends a lock operation next (semantics §5; fs/dlm {@code dlm_find_rsb} and the
 * lookup list): its cache of known masters, the operations parked behind the one outstanding
 * directory lookup per name, and, for names this member is the directory node of, the answer of
 * its {@link DirectoryTable}. Decisions only: the {@code Lockspace} actor forwards, sends and
 * spawns as told, and the lockspace simulation routes through the same class.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li><b>A master handles its own names</b>, whoever sent the operation.</li>
 *   <li><b>One outstanding lookup per name</b>: later operations wait behind it, in order, and go
 *       where its answer says.</li>
 *   <li><b>Only the owner routes.</b> A member that neither masters the name nor is looking it up
 *       sends a stranger's operation back to its owner (NotMaster), which looks the master up again.</li>
 *   <li><b>A known master gets the operation directly</b>; a stale cache entry is corrected by its
 *       NotMaster answer ({@link #forget}).</li>
 *   <li><b>The directory node asking first becomes master without any message</b>, continuing the
 *       tokens after the directory's floor; otherwise it learns the recorded master.</li>
 *   <li><b>Otherwise the directory node is asked</b>, and the operation waits for the answer.</li>
 * </ol>
 *
 * @param <K> a resource name
 * @param <M> a member incarnation
 * @param <O> an operation
 */
public final class RoutingTable<K, M, O> {

  /** Where an operation goes. */
  public sealed interface Route<M> {}

  /** Rule 1: this member masters the name: hand it to the resource. */
  public record ToResource<M>() implements Route<M> {}

  /** Rule 2: parked behind the outstanding lookup. */
  public record Parked<M>() implements Route<M> {}

  /** Rule 3: not ours to route: back to the owner. */
  public record BackToOwner<M>() implements Route<M> {}

  /** Rules 4 and 5: send it to {@code master}. */
  public record ToMaster<M>(M master) implements Route<M> {}

  /** Rule 5: become the master (tokens continue after {@code tokenFloor}), then hand it to the resource. */
  public record BecomeMaster<M>(long tokenFloor) implements Route<M> {}

  /** Rule 6: ask the directory node; the operation is parked until the answer. */
  public record AskDirectory<M>() implements Route<M> {}

  // The answers without data are shared: routing is the hot path of every lock operation.
  private static final ToResource<?> TO_RESOURCE = new ToResource<>();
  private static final Parked<?> PARKED = new Parked<>();
  private static final BackToOwner<?> BACK_TO_OWNER = new BackToOwner<>();
  private static final AskDirectory<?> ASK_DIRECTORY = new AskDirectory<>();

  private final Map<K, M> masters = new HashMap<>();
  private final Map<K, ArrayDeque<O>> parked = new HashMap<>();

  /**
   * Routes {@code op} on {@code name} from {@code owner}, at member {@code self}.
   *
   * @param mastered     whether {@code self} masters {@code name}
   * @param directoryNode whether {@code self} is {@code name}'s directory node (asked only when needed: it hashes the name)
   * @param directory    {@code self}'s directory records (read, and written by rule 5)
   */
  @SuppressWarnings("unchecked")
  public Route<M> route(K name, O op, M owner, M self, boolean mastered, BooleanSupplier directoryNode,
      DirectoryTable<K, M> directory) {
    if (mastered) {
      return (Route<M>) TO_RESOURCE;
    }
    ArrayDeque<O> waiting = parked.get(name);
    if (waiting != null) {
      waiting.add(op); // semantics §5: later requests wait on the lookup list
      return (Route<M>) PARKED;
    }
    if (!owner.equals(self)) {
      return (Route<M>) BACK_TO_OWNER;
    }
    M master = masters.get(name);
    if (master != null) {
      return new ToMaster<>(master);
    }
    if (directoryNode.getAsBoolean()) {
      M recorded = directory.masterOf(name, self);
      if (recorded.equals(self)) {
        return new BecomeMaster<>(directory.tokenFloor());
      }
      masters.put(name, recorded);
      return new ToMaster<>(recorded);
    }
    ArrayDeque<O> queue = new ArrayDeque<>();
    queue.add(op);
    parked.put(name, queue);
    return (Route<M>) ASK_DIRECTORY;
  }

  /** {@code master} masters {@code name} (a lookup answer, a recovery, or this member itself). */
  public void mastered(K name, M master) {
    masters.put(name, master);
  }

  /** The cached master of {@code name} is wrong or gone (NotMaster, a toss, a stopped resource). */
  public void forget(K name) {
    masters.remove(name);
  }

  /** The lookup of {@code name} was answered: the operations parked behind it, in order (null if none was outstanding). */
  public List<O> answered(K name) {
    ArrayDeque<O> waiting = parked.remove(name);
    return waiting == null ? null : new ArrayList<>(waiting);
  }

  /** A new view: forget masters that are not in it. */
  public void keepMastersIn(Predicate<M> inView) {
    masters.values().removeIf(m -> !inView.test(m));
  }

  /** Resume: lookups answered in an older generation were dropped; every parked operation is routed again. */
  public Map<K, List<O>> drainParked() {
    Map<K, List<O>> out = new HashMap<>();
    parked.forEach((k, q) -> out.put(k, new ArrayList<>(q)));
    parked.clear();
    return out;
  }

  /** No name is both parked and known (a lookup is only sent for a name without a cached master). */
  public void checkInvariants() {
    for (K name : parked.keySet()) {
      if (parked.get(name).isEmpty()) {
        throw new IllegalStateException("an outstanding lookup of " + name + " with nothing parked");
      }
    }
  }
}

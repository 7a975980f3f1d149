package org.jdlm.dlm.core;

import java.util.HashMap;
import java.util.Map;

/**
 * The directory records one member keeps as the directory node of some names (semantics §5; fs/dlm
 * {@code dir.c}): which member masters each name, and the token floor a new master continues
 * after. The {@code Lockspace} actor asks it who masters a name and sends the answer; which names
 * this member is the directory node of is {@code ResourceDirectory}'s (a hash over the view).
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li><b>The first to ask masters.</b> A lookup (or a recovery lookup, semantics §6.3 step 10) of a
 *       name without a record records the asker as master; later askers get that record.</li>
 *   <li><b>A registration overrides</b> (DIRECTORY phase, step 7): the records were cleared for the
 *       new generation and each master re-registers the names it masters.</li>
 *   <li><b>A removal counts only from the recorded master</b>: a late Remove from a master that
 *       tossed a name someone else masters since must not delete that record.</li>
 *   <li><b>Tokens never go back within a generation.</b> A tossed resource's last token counter
 *       raises the floor (one number, so the table stays bounded); a new master continues after
 *       it. A new generation raises every token above all older ones, so the floor resets with the
 *       records (docs/fencing-tokens.md).</li>
 * </ol>
 *
 * @param <K> a resource name
 * @param <M> a member incarnation
 */
public final class DirectoryTable<K, M> {

  private final Map<K, M> records = new HashMap<>();
  private long tokenFloor;

  /** The master of {@code name}; {@code asker} becomes it when there is no record (rule 1). */
  public M masterOf(K name, M asker) {
    return records.computeIfAbsent(name, n -> asker);
  }

  /** The recorded master of {@code name}, or {@code null}. */
  public M recorded(K name) {
    return records.get(name);
  }

  /** {@code master} re-registered {@code name} (rule 2). */
  public void register(K name, M master) {
    records.put(name, master);
  }

  /** {@code master} tossed {@code name} with last token counter {@code lastTokenCounter} (rules 3 and 4). */
  public void removed(K name, M master, long lastTokenCounter) {
    if (master.equals(records.get(name))) {
      records.remove(name);
      tokenFloor = Math.max(tokenFloor, lastTokenCounter);
    }
  }

  /**
   * This member, as {@code name}'s directory node, tossed its own resource {@code name}: the record
   * goes if it still names {@code self}, and the floor rises in any case (no message crossed).
   */
  public void tossedHere(K name, M self, long lastTokenCounter) {
    records.remove(name, self);
    tokenFloor = Math.max(tokenFloor, lastTokenCounter);
  }

  /** The token counter a new master of a name without a record continues after (rule 4). */
  public long tokenFloor() {
    return tokenFloor;
  }

  /** A new generation: every record is rebuilt by registration, and the floor resets (rule 4). */
  public void newGeneration() {
    records.clear();
    tokenFloor = 0;
  }

  /** A copy of the records (for tests and the simulation's checks). */
  public Map<K, M> records() {
    return Map.copyOf(records);
  }

  /** No record without a master; the floor is a counter. */
  public void checkInvariants() {
    if (tokenFloor < 0) {
      throw new IllegalStateException("negative token floor " + tokenFloor);
    }
    if (records.containsValue(null)) {
      throw new IllegalStateException("a directory record without a master: " + records);
    }
  }
}

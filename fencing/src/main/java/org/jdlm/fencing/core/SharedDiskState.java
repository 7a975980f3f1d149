package org.jdlm.fencing.core;

import org.jdlm.common.wire.WireMessage;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The decisions of a shared LUN with SCSI-3 persistent reservations, as an event-sourced value:
 * which initiators hold a registration key, which were preempted, and the newest data and fencing
 * token of every block.
 *
 * <p>Two independent guards stand between a write and the platter, and a write must pass both:
 * <ol>
 *   <li><b>The reservation</b> (the storage fence, fs-cycles §4.2 {@code fence_scsi}): the LUN is
 *       "write exclusive, registrants only", so a writer needs a registered key, and a fence
 *       <em>preempts</em> the victim's key. A preempted incarnation can never register again: in
 *       the field it must reboot and be "unfenced", which here is a new incarnation.</li>
 *   <li><b>The token</b> (style rule 9): even a registered writer is refused when its token is
 *       older than the newest token already accepted for that block. This catches the writer
 *       whose lock was taken away while it was paused but whose node was never fenced (a lock
 *       revoked by a clean recovery, or a long GC pause of a lock holder on a live node).</li>
 * </ol>
 *
 * <p>An equal token is accepted: a holder writes many times under one grant, and only a
 * <em>new</em> grant carries a newer token.
 *
 * <p>Every command returns the events to persist plus the reply; {@link #apply} folds an event in.
 * Rejections are replies, never exceptions (style rule 7); exceptions mean a bug.
 */
public final class SharedDiskState {

  /** The size of the LUN: {@code blocks} blocks of at most {@code blockSize} bytes each. */
  public record Geometry(int blocks, int blockSize) {
    public Geometry {
      if (blocks <= 0) {
        throw new IllegalArgumentException("shared disk needs at least one block, got blocks=" + blocks);
      }
      if (blockSize <= 0) {
        throw new IllegalArgumentException("shared disk block size must be positive, got " + blockSize);
      }
    }
  }

  /** One initiator: a member incarnation (an I_T nexus in SCSI terms). */
  public record Registrant(String node, long incarnation) {
    public Registrant {
      Objects.requireNonNull(node, "node");
    }

    @Override
    public String toString() {
      return node + "#" + incarnation;
    }
  }

  /** Events the persistent shell journals. */
  public sealed interface Event extends WireMessage {}

  /** {@code node}'s incarnation registered {@code key} (PERSISTENT RESERVE OUT: REGISTER). */
  public record KeyRegistered(String node, long incarnation, long key) implements Event {}

  /**
   * {@code byNode} preempted {@code node}'s incarnation (PREEMPT AND ABORT). {@code key} is the key
   * it held, or empty when it had never registered; it is barred from registering either way.
   */
  public record KeyPreempted(String node, long incarnation, String byNode, Optional<Long> key) implements Event {}

  /** {@code node}'s incarnation wrote {@code data} to {@code block} under {@code token}. */
  public record BlockWritten(int block, byte[] data, WriteToken token, String node, long incarnation) implements Event {
    public BlockWritten {
      data = data.clone();
    }

    @Override
    public byte[] data() {
      return data.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BlockWritten w && w.block == block && Arrays.equals(w.data, data)
          && w.token.equals(token) && w.node.equals(node) && w.incarnation == incarnation;
    }

    @Override
    public int hashCode() {
      return Objects.hash(block, Arrays.hashCode(data), token, node, incarnation);
    }

    @Override
    public String toString() {
      return "BlockWritten[block=" + block + ", bytes=" + data.length + ", token=" + token + ", by=" + node + "#" + incarnation + "]";
    }
  }

  /** Outcome of a command: events to persist (possibly none) and the answer for the caller. */
  public record Decision<R>(List<Event> events, R reply) {
    public Decision {
      events = List.copyOf(events);
    }
  }

  /** Why a write was refused. */
  public enum WriteRefusal {
    /** The writer never registered a key with this LUN. */
    NOT_REGISTERED,
    /** The writer's key was preempted: it has been fenced from storage. */
    KEY_REVOKED,
    /** The writer's token is older than the newest token accepted for the block (style rule 9). */
    STALE_TOKEN,
    /** The block number is outside the LUN. */
    BLOCK_OUT_OF_RANGE,
    /** The data does not fit in one block. */
    DATA_TOO_LARGE
  }

  /** Answer to {@link #register}. */
  public sealed interface Registration extends WireMessage {}

  /** The key is registered (also the answer to a repeated, identical registration). */
  public record Registered(String node, long incarnation, long key) implements Registration {}

  /** Registration refused; {@code reason} names the value and the rule. */
  public record RegistrationRefused(String node, long incarnation, String reason) implements Registration {}

  /** Answer to {@link #preempt}. */
  public sealed interface Preemption extends WireMessage {}

  /** The victim holds no key any more; {@code revokedKey} is the key it held, if it held one. */
  public record Preempted(String node, long incarnation, String byNode, Optional<Long> revokedKey) implements Preemption {}

  /** The preemption was refused; the victim may still hold its key. */
  public record PreemptionRefused(String node, long incarnation, String byNode, String reason) implements Preemption {}

  /** Answer to {@link #write}. */
  public sealed interface WriteOutcome extends WireMessage {}

  /** The write reached the block. */
  public record Written(int block, WriteToken token) implements WriteOutcome {}

  /** The write was refused; nothing changed. {@code detail} carries the values that decided it. */
  public record WriteRejected(int block, WriteRefusal refusal, String detail) implements WriteOutcome {}

  /** Answer to {@link #lookup}. */
  public sealed interface ReadOutcome extends WireMessage {}

  /** The block number is outside the LUN; nothing was read. */
  public record ReadRefused(int block, String reason) implements ReadOutcome {}

  /** Answer to {@link #read}: the block's data (empty if never written) and the token of its last write. */
  public record BlockContents(int block, byte[] data, Optional<WriteToken> token) implements ReadOutcome {
    public BlockContents {
      data = data.clone();
    }

    @Override
    public byte[] data() {
      return data.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BlockContents b && b.block == block && Arrays.equals(b.data, data) && b.token.equals(token);
    }

    @Override
    public int hashCode() {
      return Objects.hash(block, Arrays.hashCode(data), token);
    }

    @Override
    public String toString() {
      return "BlockContents[block=" + block + ", bytes=" + data.length + ", token=" + token.map(String::valueOf).orElse("-") + "]";
    }
  }

  private record Block(byte[] data, WriteToken token) {}

  private final Geometry geometry;
  private final Map<Registrant, Long> keys;
  private final Set<Registrant> revoked;
  private final Map<Integer, Block> blocks;

  private SharedDiskState(Geometry geometry, Map<Registrant, Long> keys, Set<Registrant> revoked,
                          Map<Integer, Block> blocks) {
    this.geometry = geometry;
    this.keys = keys;
    this.revoked = revoked;
    this.blocks = blocks;
  }

  /** A blank LUN: nobody registered, every block empty. */
  public static SharedDiskState blank(Geometry geometry) {
    return new SharedDiskState(Objects.requireNonNull(geometry, "geometry"), Map.of(), Set.of(), Map.of());
  }

  public Geometry geometry() {
    return geometry;
  }

  /** Live registrations (preempted ones excluded), for dumps. */
  public Map<Registrant, Long> registrations() {
    return keys;
  }

  public boolean isRevoked(String node, long incarnation) {
    return revoked.contains(new Registrant(node, incarnation));
  }

  /**
   * REGISTER: {@code node}'s incarnation registers {@code key}. A preempted incarnation is refused
   * (it must restart to be unfenced); registering again replaces the key, as REGISTER AND IGNORE
   * EXISTING KEY does, and an identical registration persists nothing.
   */
  public Decision<Registration> register(String node, long incarnation, long key) {
    Registrant who = new Registrant(node, incarnation);
    if (revoked.contains(who)) {
      return new Decision<>(List.of(), new RegistrationRefused(node, incarnation,
          who + " was preempted (fenced); only a new incarnation of " + node + " may register"));
    }
    if (key == 0) {
      // SPC-3: a zero service-action key means "unregister"; we do not model it, so say so.
      return new Decision<>(List.of(), new RegistrationRefused(node, incarnation,
          "key 0 is reserved (SCSI-3 uses it to unregister); pick a non-zero key"));
    }
    Long held = keys.get(who);
    if (held != null && held == key) {
      return new Decision<>(List.of(), new Registered(node, incarnation, key));
    }
    return new Decision<>(List.of(new KeyRegistered(node, incarnation, key)), new Registered(node, incarnation, key));
  }

  /**
   * PREEMPT AND ABORT: {@code byNode} removes the victim's key. The preemptor must itself hold a
   * registration other than the victim's (SCSI refuses a PREEMPT from an unregistered initiator).
   * Preempting an incarnation that never registered still bars it from registering later, so a
   * fence succeeds even against a member that died before it reached the disk. Idempotent: a
   * second preemption of the same victim persists nothing and answers as the first did.
   */
  public Decision<Preemption> preempt(String node, long incarnation, String byNode) {
    Registrant victim = new Registrant(node, incarnation);
    boolean preemptorRegistered = keys.keySet().stream()
        .anyMatch(r -> r.node().equals(byNode) && !r.equals(victim));
    if (!preemptorRegistered) {
      return new Decision<>(List.of(), new PreemptionRefused(node, incarnation, byNode,
          byNode + " holds no registration on this LUN; a preemptor must be registered"));
    }
    if (revoked.contains(victim)) {
      return new Decision<>(List.of(), new Preempted(node, incarnation, byNode, Optional.empty()));
    }
    Optional<Long> key = Optional.ofNullable(keys.get(victim));
    return new Decision<>(List.of(new KeyPreempted(node, incarnation, byNode, key)),
        new Preempted(node, incarnation, byNode, key));
  }

  /** WRITE: accepted only through both guards of the class comment, in that order. */
  public Decision<WriteOutcome> write(String node, long incarnation, int block, byte[] data, WriteToken token) {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(token, "token");
    if (block < 0 || block >= geometry.blocks()) {
      return rejected(block, WriteRefusal.BLOCK_OUT_OF_RANGE,
          "block " + block + " is outside 0.." + (geometry.blocks() - 1));
    }
    if (data.length > geometry.blockSize()) {
      return rejected(block, WriteRefusal.DATA_TOO_LARGE,
          data.length + " bytes exceed the block size " + geometry.blockSize());
    }
    Registrant who = new Registrant(node, incarnation);
    // The reservation is checked before the token: a fenced node learns it is fenced, which is
    // the more useful message, even when its token happens to be stale too.
    if (revoked.contains(who)) {
      return rejected(block, WriteRefusal.KEY_REVOKED, who + "'s key was preempted (it is fenced)");
    }
    if (!keys.containsKey(who)) {
      return rejected(block, WriteRefusal.NOT_REGISTERED, who + " holds no registration key");
    }
    Block current = blocks.get(block);
    if (current != null && token.isOlderThan(current.token())) {
      return rejected(block, WriteRefusal.STALE_TOKEN,
          "token " + token + " is older than " + current.token() + " already accepted for block " + block);
    }
    return new Decision<>(List.of(new BlockWritten(block, data, token, node, incarnation)), new Written(block, token));
  }

  /** READ: the block as last written. A read of a block outside the LUN is a caller's bug. */
  public BlockContents read(int block) {
    if (block < 0 || block >= geometry.blocks()) {
      throw new IllegalArgumentException("block " + block + " is outside 0.." + (geometry.blocks() - 1));
    }
    Block b = blocks.get(block);
    return b == null ? new BlockContents(block, new byte[0], Optional.empty())
        : new BlockContents(block, b.data(), Optional.of(b.token()));
  }

  /** READ from another node: like {@link #read}, but a block outside the LUN is a reply, not a bug. */
  public ReadOutcome lookup(int block) {
    if (block < 0 || block >= geometry.blocks()) {
      return new ReadRefused(block, "block " + block + " is outside 0.." + (geometry.blocks() - 1));
    }
    return read(block);
  }

  /** The newest token accepted for {@code block}, if any write reached it. */
  public Optional<WriteToken> newestToken(int block) {
    return Optional.ofNullable(blocks.get(block)).map(Block::token);
  }

  private static Decision<WriteOutcome> rejected(int block, WriteRefusal refusal, String detail) {
    return new Decision<>(List.of(), new WriteRejected(block, refusal, detail));
  }

  /** Folds one persisted event in. */
  public SharedDiskState apply(Event event) {
    if (event instanceof KeyRegistered r) {
      Map<Registrant, Long> next = new HashMap<>(keys);
      next.put(new Registrant(r.node(), r.incarnation()), r.key());
      return new SharedDiskState(geometry, Map.copyOf(next), revoked, blocks);
    }
    if (event instanceof KeyPreempted p) {
      Registrant victim = new Registrant(p.node(), p.incarnation());
      Map<Registrant, Long> nextKeys = new HashMap<>(keys);
      nextKeys.remove(victim);
      Set<Registrant> nextRevoked = new HashSet<>(revoked);
      nextRevoked.add(victim);
      return new SharedDiskState(geometry, Map.copyOf(nextKeys), Set.copyOf(nextRevoked), blocks);
    }
    if (event instanceof BlockWritten w) {
      Block current = blocks.get(w.block());
      if (current != null && w.token().isOlderThan(current.token())) {
        // The command side never emits this; replaying it would break FenceMonotonic.
        throw new IllegalStateException("block " + w.block() + " token would go back: "
            + current.token() + " -> " + w.token());
      }
      Map<Integer, Block> next = new HashMap<>(blocks);
      next.put(w.block(), new Block(w.data(), w.token()));
      return new SharedDiskState(geometry, keys, revoked, Map.copyOf(next));
    }
    throw new IllegalArgumentException("unknown event " + event);
  }

  /** Folds a whole journal. */
  public static SharedDiskState replay(Geometry geometry, List<? extends Event> events) {
    SharedDiskState s = blank(geometry);
    for (Event e : events) {
      s = s.apply(e);
    }
    return s;
  }

  /** Invariants (style rule 14): no incarnation is both registered and revoked. */
  public void checkInvariants() {
    for (Registrant r : keys.keySet()) {
      if (revoked.contains(r)) {
        throw new IllegalStateException(r + " is both registered and revoked in " + this);
      }
    }
  }

  @Override
  public String toString() {
    return "SharedDisk{" + geometry.blocks() + "x" + geometry.blockSize() + "B, keys=" + new TreeMap<>(
        keys.entrySet().stream().collect(java.util.stream.Collectors.toMap(e -> e.getKey().toString(), Map.Entry::getValue)))
        + ", revoked=" + revoked + ", written blocks=" + blocks.size() + "}";
  }
}

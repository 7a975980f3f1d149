package org.jdlm.dlm.sim;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.jdlm.dlm.core.Coordination;
import org.jdlm.dlm.core.MembershipView;
import org.jdlm.dlm.core.RecoveryPhase;
import org.jdlm.dlm.core.RecoveryRun;

/**
 * A seeded, deterministic simulation of the lockspace membership and directory protocol (in the
 * manner of FoundationDB's simulator and TigerBeetle's VOPR), over the pure cores the
 * {@code Lockspace} actor uses. One seed fixes everything: the number of nodes, the lock traffic,
 * the faults and every delay.
 *
 * <h2>What is simulated</h2>
 * <ul>
 *   <li>N nodes (3 to 5), each running one {@link SimMember}: the actor's handlers for join probing,
 *       Hello/StopAck, the coordinator's barrier and run ({@code RecoveryRun}), the member side of
 *       MEMBERS/DIRECTORY/RESUME, verification of reported terminations, routing, lookups,
 *       directory records, tosses with {@code Remove}, and stashing while stopped.</li>
 *   <li>Faults: kills, restarts at the same address (a new incarnation), clean leaves and joins.</li>
 *   <li>The network as Artery guarantees it: per sender-receiver pair FIFO, at most once. A
 *       message to a dead incarnation is lost; a message from a node to a node restarted less than a
 *       second ago is lost with probability 3/4 until one of them gets through (the association to
 *       the new incarnation is being set up, as in issue 4); an established association loses
 *       nothing. Delays are 1-20 ms, 5% up to 500 ms.</li>
 *   <li>The cluster as each member sees it: Up, unreachable, downed and removed events, delivered
 *       in order but independently (and with independent lags) to the member and to its node's
 *       death watcher, which, like Pekko's, reports every watched member at an address terminated
 *       when it processes an earlier incarnation's removal there, and at once when asked to watch at
 *       an address whose removal it saw and whose new incarnation it has not seen Up. A restarted
 *       incarnation's member starts only once every member's streams have delivered its
 *       predecessor's removal (Pekko moves a joining node Up only at convergence).</li>
 *   <li>A virtual clock; timers (barrier retry, verification, reprobe, toss) run on it.</li>
 * </ul>
 *
 * <h2>Not simulated</h2>
 * Held locks and their queues, conversions, callbacks and value blocks ({@code ResourceState},
 * {@code OwnerLocks}): a request is granted at once by its master with the next fencing token, so
 * REMASTER, REBUILD_LOCKS and FINALIZE only pass their barriers; the owner side (so the issue-4 bug
 * of a completion lost across the barrier, which lived in {@code LockspaceLocal}, is out of reach);
 * the fencing authority's latency and failures; partitions between live nodes; the receptionist.
 *
 * <h2>Invariants</h2>
 * After every event: each core's {@code checkInvariants()}; {@code ViewAgreement} (members running
 * at one generation run one view); {@code OneMasterPerResource} (among members running at one
 * generation); {@code FenceMonotonic} (every grant's token is above every earlier token for that
 * resource). At the end, after 60 quiet virtual seconds: {@code RecoveryTerminates} (every live
 * member runs, at one generation, with the view of all live members), {@code NoLostRequest} (every
 * request of a live member was granted) and {@code DirectoryAgreesWithMasters}.
 */
final class LockspaceSim {

  /** The protocol as shipped, or with one of issue 4's fixes undone (to show the simulation finds the bug). */
  enum Variant { FIXED, BELIEVE_EVERY_TERMINATION, NO_BARRIER_RETRY }

  /**
   * The fault mix: {@code MIXED} draws kills, restarts, leaves and joins; {@code COORDINATOR_RESTARTS}
   * kills the lowest node (the coordinator) one to three times and restarts it at once at the same
   * address; {@code BLACKHOLED_JOIN} is {@code BarrierRetryTest} at scale: the highest node joins late,
   * and from then on, for one to three seconds, everything one running member sends to the
   * coordinator (the lowest member) is dropped (Artery's test-mode blackhole: at most once), so that
   * member's StopAcks for the new view are lost; no lock traffic is issued in that stretch, as in
   * the test.
   */
  enum Profile { MIXED, COORDINATOR_RESTARTS, BLACKHOLED_JOIN }

  /** A member incarnation (uid 0: the node's guardian). */
  record Ref(String address, int uid) {
    @Override
    public String toString() {
      return address + "#" + uid;
    }
  }

  /** A lock request: granted once by the master of {@code name}. */
  record Req(long id, Ref owner, String name) {}

  /** A cluster event about incarnation {@code incarnation} of the node at {@code address}. */
  record ClusterEvent(String address, long incarnation, MembershipView.Change change) {}

  /** The protocol's messages, shaped like the actor's. */
  sealed interface Msg {
    /** Lock traffic is stashed while the member is stopped. */
    default boolean lockTraffic() {
      return false;
    }

    record Hello(Ref from, List<Ref> view, long generation) implements Msg {}

    record StopAck(Ref from, Set<Ref> view, long generation, List<Ref> lastView,
        List<MembershipView.Failure> failed) implements Msg {}

    record RunPhase(long generation, RecoveryPhase phase, List<Ref> view, List<String> departed) implements Msg {}

    record PhaseDone(long generation, RecoveryPhase phase, Ref from) implements Msg {}

    record Register(long generation, List<String> names, Ref from) implements Msg {}

    record Registered(long generation, Ref from) implements Msg {}

    record ProbeReply(String address, List<Ref> member) implements Msg {}

    record GuardianGone(String address) implements Msg {}

    /** To a node's guardian: does it run a member? For a join ({@code join}) a dead node answers through the watch. */
    record Probe(boolean join) implements Msg {}

    record Terminated(Ref ref) implements Msg {}

    record GenerationReady(Coordination.Fetch<Ref> fetch, RecoveryRun.Change change) implements Msg {}

    record Fenced(long generation, String node) implements Msg {}

    record RouteLocal(String name, Req req) implements Msg {
      @Override
      public boolean lockTraffic() {
        return true;
      }
    }

    record AtMaster(String name, Req req) implements Msg {
      @Override
      public boolean lockTraffic() {
        return true;
      }
    }

    record NotMaster(String name, Req req) implements Msg {
      @Override
      public boolean lockTraffic() {
        return true;
      }
    }

    record Granted(Req req, long generation, long counter) implements Msg {
      @Override
      public boolean lockTraffic() {
        return true;
      }
    }

    record Lookup(long generation, String name, Ref requester) implements Msg {
      @Override
      public boolean lockTraffic() {
        return true;
      }
    }

    record LookupReply(long generation, String name, Ref master, long tokenFloor) implements Msg {
      @Override
      public boolean lockTraffic() {
        return true;
      }
    }

    record Remove(long generation, String name, Ref master, long lastTokenCounter) implements Msg {
      @Override
      public boolean lockTraffic() {
        return true;
      }
    }
  }

  /** An invariant failed: the message names it and carries the seed, the schedule and the state. */
  static final class Failure extends RuntimeException {
    final long seed;

    Failure(long seed, String message) {
      super(message);
      this.seed = seed;
    }
  }

  static final long JOIN_TIMEOUT_NANOS = 10_000_000_000L;
  static final long BARRIER_RETRY_MS = 1000;
  static final long TOSS_DELAY_MS = 3000;
  private static final long FAULT_END_MS = 20_000;
  private static final long END_MS = FAULT_END_MS + 60_000;
  private static final long RESTART_LOSS_WINDOW_MS = 1000;
  private static final String[] NAMES = {"R0", "R1", "R2", "R3", "R4", "R5", "R6", "R7"};

  private static final class Node {
    final String address;
    long incarnation;
    boolean alive = true;
    /** The node's status in the cluster: UP, UNREACHABLE, DOWNED, REMOVED. */
    MembershipView.Change status = MembershipView.Change.UP;
    SimMember member;
    long lossUntil;

    Node(String address, long incarnation) {
      this.address = address;
      this.incarnation = incarnation;
    }
  }

  /** One node's death watcher, as its member's cluster-event stream reaches it (see the class comment). */
  private static final class Watcher {
    final Set<String> up = new HashSet<>();
    final Set<String> removedSeen = new HashSet<>();
    final Set<Ref> watched = new LinkedHashSet<>();
  }

  private record Ev(long at, long seq, Runnable action) implements Comparable<Ev> {
    @Override
    public int compareTo(Ev o) {
      return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq);
    }
  }

  final long seed;
  final Variant variant;
  final Profile profile;
  private final boolean verbose;
  private final SplittableRandom rnd;
  private final PriorityQueue<Ev> queue = new PriorityQueue<>();
  private long now;
  private long seq;
  private final Map<String, Node> nodes = new TreeMap<>();
  private final Map<Ref, SimMember> members = new HashMap<>();
  private final Map<Ref, Watcher> watchers = new HashMap<>();
  private final Map<List<Ref>, Long> lastDelivery = new HashMap<>();
  private final Map<Ref, long[]> streamAt = new HashMap<>();
  private final Map<String, long[]> lastToken = new HashMap<>();
  private final Map<Long, Req> outstanding = new TreeMap<>();
  private final List<String> schedule = new ArrayList<>();
  /** Sender node to receiver incarnation: associations established (no loss on them from then on). */
  private final Set<String> associated = new HashSet<>();
  private String blackhole = "";
  private long blackholeUntil;
  private final ArrayDeque<String> trace = new ArrayDeque<>();
  private long authority;
  private int uids;
  private long requestIds;
  private long events;
  private final Clock clock = new Clock() {
    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now);
    }
  };

  LockspaceSim(long seed, Variant variant, boolean verbose) {
    this(seed, variant, Profile.MIXED, verbose);
  }

  LockspaceSim(long seed, Variant variant, Profile profile, boolean verbose) {
    this.seed = seed;
    this.variant = variant;
    this.profile = profile;
    this.verbose = verbose;
    this.rnd = new SplittableRandom(seed);
  }

  // ============================================================================ the run

  /** Runs the seed to the end; throws {@link Failure} on the first broken invariant. Returns a digest of the final state. */
  String run() {
    int n = 3 + rnd.nextInt(3);
    for (int i = 1; i <= n; i++) {
      String address = "n" + i;
      nodes.put(address, new Node(address, ++uids));
    }
    long lateJoin = profile == Profile.BLACKHOLED_JOIN ? 5000 + rnd.nextLong(10_000) : -1;
    for (Node node : nodes.values()) {
      long at = rnd.nextLong(500);
      if (lateJoin >= 0 && node.address.equals("n" + n)) {
        long outage = 1000 + rnd.nextLong(2000);
        String member = "n" + (2 + rnd.nextInt(n - 2));
        at(lateJoin, "blackhole " + member + " -> n1 for " + outage + " ms; start member on " + node.address,
            () -> {
              blackhole = member + ">n1";
              blackholeUntil = now + outage;
              startMember(node);
            });
        continue;
      }
      at(at, "start member on " + node.address, () -> startMember(node));
    }
    int requests = 10 + rnd.nextInt(40);
    for (int i = 0; i < requests; i++) {
      String name = NAMES[rnd.nextInt(NAMES.length)];
      long at = rnd.nextLong(FAULT_END_MS);
      if (lateJoin >= 0 && at > lateJoin - 2000 && at < lateJoin + 5000) {
        continue; // as in BarrierRetryTest: nothing in flight across the blackholed link
      }
      int pick = rnd.nextInt(1000);
      at(at, "request " + name + " on member " + pick, () -> request(pick, name));
    }
    if (profile == Profile.COORDINATOR_RESTARTS) {
      int restarts = 1 + rnd.nextInt(3);
      for (int i = 0; i < restarts; i++) {
        long at = 1000 + rnd.nextLong(FAULT_END_MS - 1000);
        at(at, "kill the lowest node, restart it at once", () -> {
          Node lowest = nodes.get("n1");
          if (lowest.alive) {
            kill(lowest, true);
          }
        });
      }
    }
    int faults = profile == Profile.MIXED ? rnd.nextInt(5) : 0;
    for (int i = 0; i < faults; i++) {
      long at = 1000 + rnd.nextLong(FAULT_END_MS - 1000);
      int kind = rnd.nextInt(4);
      int pick = rnd.nextInt(1000);
      String what = switch (kind) {
        case 0 -> "kill";
        case 1 -> "restart";
        case 2 -> "leave";
        default -> "kill then restart at once";
      };
      at(at, what + " (node pick " + pick + ")", () -> fault(kind, pick));
    }
    while (!queue.isEmpty()) {
      Ev ev = queue.poll();
      if (ev.at() > END_MS) {
        break;
      }
      now = ev.at();
      events++;
      try {
        ev.action().run();
      } catch (Failure f) {
        throw f;
      } catch (RuntimeException e) {
        // Style rule 7: an exception from a core is a bug (the actor would crash): report it like an invariant.
        fail("NoCrash", e.toString() + " at " + e.getStackTrace()[0] + " / " + e.getStackTrace()[2]);
      }
      checkInvariants();
    }
    now = END_MS;
    checkQuiescent();
    StringBuilder digest = new StringBuilder("events " + events + "\n");
    members.values().stream().map(SimMember::toString).sorted().forEach(s -> digest.append(s).append('\n'));
    return digest.toString();
  }

  /** A scheduled step of the schedule (traffic or fault): recorded for the failure report. */
  private void at(long at, String what, Runnable action) {
    schedule(at, () -> {
      schedule.add(String.format("%6d ms  %s", now, what));
      action.run();
    });
  }

  private void schedule(long at, Runnable action) {
    queue.add(new Ev(at, seq++, action));
  }

  private void startMember(Node node) {
    if (!node.alive || node.member != null) {
      return;
    }
    Ref ref = new Ref(node.address, ++uids);
    SimMember member = new SimMember(ref, this);
    node.member = member;
    members.put(ref, member);
    Watcher watcher = new Watcher();
    watchers.put(ref, watcher);
    streamAt.put(ref, new long[] {now, now});
    trace("start " + ref);
    // Subscribing to the cluster yields its current state first.
    for (Node other : nodes.values()) {
      if (other.status != MembershipView.Change.REMOVED) {
        deliverClusterEvent(member, new ClusterEvent(other.address, other.incarnation, MembershipView.Change.UP));
        if (other.status != MembershipView.Change.UP) {
          deliverClusterEvent(member, new ClusterEvent(other.address, other.incarnation, other.status));
        }
      }
    }
    member.start();
  }

  private void request(int pick, String name) {
    List<SimMember> live = liveMembers();
    if (live.isEmpty()) {
      return;
    }
    live.get(pick % live.size()).request(name);
  }

  private List<SimMember> liveMembers() {
    List<SimMember> live = new ArrayList<>();
    for (Node node : nodes.values()) {
      if (node.alive && node.member != null) {
        live.add(node.member);
      }
    }
    return live;
  }

  private void fault(int kind, int pick) {
    List<Node> all = new ArrayList<>(nodes.values());
    switch (kind) {
      case 0, 3 -> {
        List<Node> alive = all.stream().filter(nd -> nd.alive).toList();
        if (alive.size() <= 1) {
          return; // keep one node: the cluster itself (keep-majority) is not what is tested here
        }
        Node node = alive.get(pick % alive.size());
        kill(node, kind == 3);
      }
      case 1 -> {
        List<Node> removed = all.stream().filter(nd -> !nd.alive && nd.status == MembershipView.Change.REMOVED).toList();
        if (!removed.isEmpty()) {
          restart(removed.get(pick % removed.size()));
          return;
        }
        List<Node> idle = all.stream().filter(nd -> nd.alive && nd.member == null).toList();
        if (!idle.isEmpty()) {
          startMember(idle.get(pick % idle.size())); // a node that left joins again
        }
      }
      default -> {
        List<SimMember> leavers = liveMembers().stream()
            .filter(m -> m.running() && m.children.isEmpty() && m.pending.isEmpty() && m.stash.isEmpty()).toList();
        if (leavers.size() > 1) {
          leave(leavers.get(pick % leavers.size()));
        }
      }
    }
  }

  private void kill(Node node, boolean restartAtOnce) {
    trace("kill " + node.address + " (incarnation " + node.incarnation + ")");
    node.alive = false;
    if (node.member != null) {
      forget(node.member);
      node.member = null;
    }
    long inc = node.incarnation;
    long unreachable = now + 300 + rnd.nextLong(700);
    long downed = unreachable + 500 + rnd.nextLong(1000);
    long removed = downed + 200 + rnd.nextLong(1000);
    schedule(unreachable, () -> cluster(node, inc, MembershipView.Change.UNREACHABLE));
    schedule(downed, () -> cluster(node, inc, MembershipView.Change.DOWNED));
    schedule(removed, () -> {
      cluster(node, inc, MembershipView.Change.REMOVED);
      if (restartAtOnce) {
        restart(node);
      }
    });
  }

  private void restart(Node node) {
    if (node.alive || node.status != MembershipView.Change.REMOVED) {
      return;
    }
    node.incarnation = ++uids;
    node.alive = true;
    node.lossUntil = now + RESTART_LOSS_WINDOW_MS;
    trace("restart " + node.address + " as incarnation " + node.incarnation);
    // Pekko moves a joining node Up only at gossip convergence, when every member has merged the
    // gossip that removed its predecessor and so has queued that removal for its subscribers: the new
    // incarnation's member, which starts once its node is Up, can only reach a member (or its
    // watcher) behind that removal.
    long converged = now;
    for (long[] at : streamAt.values()) {
      converged = Math.max(converged, Math.max(at[0], at[1]));
    }
    cluster(node, node.incarnation, MembershipView.Change.UP);
    schedule(converged + 50 + rnd.nextLong(250), () -> startMember(node));
  }

  private void leave(SimMember member) {
    trace("leave " + member.self);
    Node node = nodes.get(member.self.address());
    node.member = null;
    forget(member);
    // The death watch of every member watching it reports it terminated (its node stays Up).
    for (Map.Entry<Ref, Watcher> e : watchers.entrySet()) {
      if (e.getValue().watched.remove(member.self)) {
        send(member.self, e.getKey(), new Msg.Terminated(member.self));
      }
    }
  }

  private void forget(SimMember member) {
    member.alive = false;
    members.remove(member.self);
    watchers.remove(member.self);
    streamAt.remove(member.self);
    for (Req req : List.copyOf(outstanding.values())) {
      if (req.owner().equals(member.self)) {
        outstanding.remove(req.id()); // a dead or departed owner's requests end with it
      }
    }
  }

  // ============================================================================ the cluster and the death watch

  private void cluster(Node node, long incarnation, MembershipView.Change change) {
    if (node.incarnation == incarnation) {
      node.status = change;
    }
    trace("cluster: " + node.address + "#inc" + incarnation + " " + change);
    for (SimMember member : List.copyOf(members.values())) {
      deliverClusterEvent(member, new ClusterEvent(node.address, incarnation, change));
    }
  }

  /** In order on each stream, with independent lags for the member and for its node's watcher. */
  private void deliverClusterEvent(SimMember member, ClusterEvent e) {
    long[] at = streamAt.get(member.self);
    at[0] = Math.max(at[0], now + 1 + rnd.nextLong(300));
    at[1] = Math.max(at[1], now + 1 + rnd.nextLong(300));
    schedule(at[0], () -> {
      if (member.alive) {
        member.onClusterEvent(e);
      }
    });
    schedule(at[1], () -> watcherSees(member, e));
  }

  private void watcherSees(SimMember member, ClusterEvent e) {
    Watcher w = watchers.get(member.self);
    if (w == null) {
      return;
    }
    if (e.change() == MembershipView.Change.UP) {
      w.up.add(e.address());
      w.removedSeen.remove(e.address());
    } else if (e.change() == MembershipView.Change.REMOVED) {
      w.up.remove(e.address());
      w.removedSeen.add(e.address());
      for (Ref ref : List.copyOf(w.watched)) {
        if (ref.address().equals(e.address())) {
          w.watched.remove(ref); // true for the removed incarnation's members, false for a newer one's
          local(member.self, 1, new Msg.Terminated(ref));
        }
      }
    }
  }

  /** {@code observer} watches {@code ref}. */
  void watch(Ref observer, Ref ref) {
    Watcher w = watchers.get(observer);
    if (w == null || w.watched.contains(ref)) {
      return;
    }
    Node node = nodes.get(ref.address());
    boolean local = ref.address().equals(observer.address());
    if (!local && w.removedSeen.contains(ref.address()) && !w.up.contains(ref.address())) {
      local(observer, 1, new Msg.Terminated(ref)); // the watcher's artefact: reported at once, though it may live
      return;
    }
    w.watched.add(ref);
    if (!members.containsKey(ref) && node.alive) {
      // Watching a member that already stopped on a live node: the node answers that it is gone.
      w.watched.remove(ref);
      send(ref, observer, new Msg.Terminated(ref));
    }
  }

  /** Addresses of the nodes the cluster shows Up now (what a joiner probes). */
  Set<String> upAddresses() {
    Set<String> up = new HashSet<>();
    for (Node node : nodes.values()) {
      if (node.alive && node.status == MembershipView.Change.UP) {
        up.add(node.address);
      }
    }
    return up;
  }

  boolean otherIncarnationAt(String address, long incarnation) {
    Node node = nodes.get(address);
    return node.incarnation != incarnation && node.status != MembershipView.Change.REMOVED;
  }

  // ============================================================================ the network

  void send(Ref from, Ref to, Msg msg) {
    Node node = nodes.get(to.address());
    if (now < blackholeUntil && blackhole.equals(from.address() + ">" + to.address())) {
      if (verbose) {
        trace("blackholed " + from + " -> " + to + ": " + msg);
      }
      return;
    }
    boolean remote = !from.address().equals(to.address()); // a node's messages to itself never cross the network
    if (remote && node.lossUntil > now) {
      String association = from.address() + ">" + to.address() + "#" + node.incarnation;
      if (!associated.contains(association) && rnd.nextInt(4) != 0) {
        if (verbose) {
          trace("lost " + from + " -> " + to + ": " + msg);
        }
        return;
      }
      associated.add(association); // once one message got through, the association to that incarnation stands
    }
    long delay = 1 + (rnd.nextInt(20) == 0 ? rnd.nextLong(500) : rnd.nextLong(20));
    List<Ref> pair = List.of(from, to);
    long at = Math.max(now + delay, lastDelivery.getOrDefault(pair, 0L));
    lastDelivery.put(pair, at);
    schedule(at, () -> {
      if (to.uid() == 0) {
        guardianReceives(from, to.address(), msg);
        return;
      }
      SimMember member = members.get(to);
      if (member == null) {
        return; // at most once: a dead incarnation receives nothing
      }
      if (verbose) {
        trace(from + " -> " + to + ": " + msg);
      }
      member.receive(msg);
    });
  }

  /** A probe to the guardian of {@code address}: does it run a member? */
  void probe(Ref from, String address, boolean join) {
    send(from, new Ref(address, 0), new Msg.Probe(join));
  }

  private void guardianReceives(Ref from, String address, Msg probe) {
    Node node = nodes.get(address);
    Ref guardian = new Ref(address, 0);
    if (node.alive) {
      send(guardian, from, new Msg.ProbeReply(address, node.member == null ? List.of() : List.of(node.member.self)));
    } else if (((Msg.Probe) probe).join()) {
      local(from, 1 + rnd.nextLong(50), new Msg.GuardianGone(address)); // the join probe's watch fires
    }
  }

  /** A message from a member's own node (an adapted reply, a watch notice): never lost. */
  void local(Ref to, long delay, Msg msg) {
    schedule(now + delay, () -> {
      SimMember member = members.get(to);
      if (member != null) {
        member.receive(msg);
      }
    });
  }

  void timer(Ref owner, long delay, Runnable tick) {
    SimMember expected = members.get(owner);
    schedule(now + delay, () -> {
      if (expected != null && expected.alive) {
        tick.run();
      }
    });
  }

  long now() {
    return now;
  }

  long nowNanos() {
    return now * 1_000_000;
  }

  Clock clock() {
    return clock;
  }

  long advanceGeneration(long atLeast) {
    authority = Math.max(authority + 1, atLeast);
    return authority;
  }

  long nextRequestId() {
    return ++requestIds;
  }

  void trace(String line) {
    trace.addLast(now + " ms  " + line);
    if (trace.size() > (verbose ? 100_000 : 80)) {
      trace.removeFirst();
    }
  }

  // ============================================================================ invariants

  void issued(Req req) {
    outstanding.put(req.id(), req);
  }

  void completed(Req req) {
    outstanding.remove(req.id());
  }

  /** FenceMonotonic: a resource's tokens only grow, across masters, tosses and generations. */
  void granted(Ref master, String name, long generation, long counter) {
    long[] last = lastToken.get(name);
    if (last != null && (generation < last[0] || (generation == last[0] && counter <= last[1]))) {
      fail("FenceMonotonic", master + " granted " + name + " with token " + generation + ":" + counter
          + " after token " + last[0] + ":" + last[1]);
    }
    lastToken.put(name, new long[] {generation, counter});
  }

  private void checkInvariants() {
    Map<Long, SimMember> viewOf = new HashMap<>();
    Map<Long, Map<String, Ref>> mastersAt = new HashMap<>();
    for (SimMember m : members.values()) {
      try {
        m.membership.checkInvariants();
        m.dirTable.checkInvariants();
        m.routing.checkInvariants();
        m.phases.checkInvariants();
        m.coordination.checkInvariants();
        if (m.probe != null) {
          m.probe.checkInvariants();
        }
      } catch (IllegalStateException e) {
        fail("CoreInvariant", m.self + ": " + e.getMessage());
      }
      if (!m.running()) {
        continue;
      }
      SimMember other = viewOf.putIfAbsent(m.generation(), m);
      if (other != null && !other.view().equals(m.view())) {
        fail("ViewAgreement", m.self + " and " + other.self + " run generation " + m.generation()
            + " with different views " + m.sorted(m.view()) + " and " + other.sorted(other.view()));
      }
      Map<String, Ref> masters = mastersAt.computeIfAbsent(m.generation(), g -> new HashMap<>());
      for (String name : m.children.keySet()) {
        Ref before = masters.putIfAbsent(name, m.self);
        if (before != null) {
          fail("OneMasterPerResource", name + " is mastered by " + before + " and " + m.self + " at generation "
              + m.generation());
        }
      }
    }
  }

  private void checkQuiescent() {
    List<SimMember> live = liveMembers();
    Set<Ref> liveRefs = new HashSet<>();
    live.forEach(m -> liveRefs.add(m.self));
    for (SimMember m : live) {
      if (!m.running()) {
        fail("RecoveryTerminates", m.self + " is still stopped 60 s after the last fault: " + m);
      }
      if (!m.view().equals(liveRefs)) {
        fail("RecoveryTerminates", m.self + " runs with view " + m.sorted(m.view()) + ", the live members are "
            + m.sorted(liveRefs));
      }
      if (m.generation() != live.get(0).generation()) {
        fail("RecoveryTerminates", m.self + " runs generation " + m.generation() + ", " + live.get(0).self
            + " runs " + live.get(0).generation());
      }
    }
    if (!outstanding.isEmpty()) {
      fail("NoLostRequest", "requests never granted: " + outstanding.values());
    }
    Map<String, SimMember> byAddress = new HashMap<>();
    live.forEach(m -> byAddress.put(m.self.address(), m));
    for (SimMember master : live) {
      for (String name : master.children.keySet()) {
        String dirNode = new org.jdlm.dlm.directory.ResourceDirectory(
            master.view().stream().map(r -> new org.jdlm.dlm.core.NodeId(r.address())).toList())
            .directoryNode(name.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).name();
        Ref recorded = byAddress.get(dirNode).dirTable.recorded(name);
        if (!master.self.equals(recorded)) {
          fail("DirectoryAgreesWithMasters", name + " is mastered by " + master.self + " but its directory node "
              + dirNode + " records " + recorded);
        }
      }
    }
    for (SimMember dir : live) {
      for (Map.Entry<String, Ref> e : dir.dirTable.records().entrySet()) {
        SimMember master = members.get(e.getValue());
        if (master == null || !master.children.containsKey(e.getKey())) {
          fail("DirectoryAgreesWithMasters", dir.self + " records " + e.getValue() + " as master of " + e.getKey()
              + ", which does not master it");
        }
      }
    }
  }

  private void fail(String invariant, String detail) {
    StringBuilder s = new StringBuilder();
    s.append("lockspace simulation: invariant ").append(invariant).append(" broken at ").append(now)
        .append(" ms (seed ").append(seed).append(", variant ").append(variant).append(", profile ").append(profile)
        .append(", ").append(nodes.size())
        .append(" nodes)\n  ").append(detail).append("\nreplay: mvn -pl dlm-actors test -Dtest=LockspaceSimTest"
            + "#replayOneSeed -Djdlm.sim.seed=").append(seed)
        .append(variant == Variant.FIXED ? "" : " -Djdlm.sim.variant=" + variant)
        .append(profile == Profile.MIXED ? "" : " -Djdlm.sim.profile=" + profile).append("\nschedule:\n");
    schedule.forEach(line -> s.append("  ").append(line).append('\n'));
    s.append("last events:\n");
    trace.forEach(line -> s.append("  ").append(line).append('\n'));
    s.append("members:\n");
    members.values().stream().map(SimMember::toString).sorted().forEach(m -> s.append("  ").append(m).append('\n'));
    throw new Failure(seed, s.toString());
  }
}

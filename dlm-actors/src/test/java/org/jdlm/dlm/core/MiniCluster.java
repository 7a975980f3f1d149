package org.jdlm.dlm.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test wiring of owners and masters without actors: every {@link MasterOp} is applied at once to
 * the resource's {@link ResourceState} and every effect is routed back to the owner node, until
 * nothing is left in flight. {@link #hold()} keeps ops queued instead, to test the in-flight states.
 */
final class MiniCluster {

  static final int LVBLEN = 32;

  final Map<String, OwnerLocks> owners = new LinkedHashMap<>();
  final Map<String, ResourceState> masters = new HashMap<>();
  final ArrayDeque<MasterOp> inFlight = new ArrayDeque<>();
  final List<Effect> effects = new ArrayList<>();
  /** Delivered callbacks per lock, rendered as {@code cast OK PR} / {@code bast EX}. */
  final Map<LockId, List<String>> delivered = new HashMap<>();
  private boolean holding;
  long generation = 1;

  OwnerLocks node(String name) {
    return owners.computeIfAbsent(name, n -> new OwnerLocks(new NodeId(n), LVBLEN, 1000, 64));
  }

  ResourceState master(String resource) {
    return masters.computeIfAbsent(resource, r -> new ResourceState(r, LVBLEN, generation));
  }

  void hold() {
    holding = true;
  }

  void release() {
    holding = false;
    pump();
  }

  /** Sends the ops of an accepted call (or none for a rejection) and returns the result. */
  OwnerResult submit(OwnerResult result) {
    if (result instanceof OwnerResult.Accepted a) {
      inFlight.addAll(a.send());
      pump();
    }
    return result;
  }

  void send(List<MasterOp> ops) {
    inFlight.addAll(ops);
    pump();
  }

  void pump() {
    while (!holding && !inFlight.isEmpty()) {
      MasterOp op = inFlight.poll();
      ResourceState master = master(op.resource());
      List<Effect> out = op.applyTo(master);
      master.checkInvariants();
      for (Effect e : out) {
        effects.add(e);
        OwnerLocks owner = owners.get(e.owner().name());
        if (owner != null) {
          inFlight.addAll(owner.onEffect(e));
          owner.checkInvariants();
        }
      }
    }
    deliver();
  }

  void deliver() {
    for (OwnerLocks owner : owners.values()) {
      for (OwnerLocks.Delivery d : owner.drainCallbacks()) {
        delivered.computeIfAbsent(d.lock(), k -> new ArrayList<>()).add(render(d.callback()));
      }
    }
  }

  static String render(Callback cb) {
    if (cb instanceof Callback.Completion c) {
      String s = "cast " + c.status() + " " + LockMode.nameOf(c.grantedMode());
      return c.sbflags().bits() == 0 ? s : s + " " + c.sbflags();
    }
    return "bast " + ((Callback.Blocking) cb).mode();
  }

  /** Callbacks delivered for a lock since the last call (consumes them). */
  List<String> events(LockId id) {
    List<String> got = delivered.remove(id);
    return got == null ? List.of() : got;
  }

  static LockId id(OwnerResult r) {
    return ((OwnerResult.Accepted) r).lock();
  }
}

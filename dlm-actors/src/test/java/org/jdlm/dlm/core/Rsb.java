package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test harness around one {@link ResourceState}: locks are named L0, L1, … as in semantics §9, every
 * operation is followed by {@link ResourceState#checkInvariants()}, and effects are rendered as
 * short strings ({@code CAST(L2,OK,PR)}, {@code BAST(L1,EX)}, {@code QUEUED(L2)} …) so a test
 * vector reads like the spec.
 */
final class Rsb {

  static final int LVBLEN = 32;

  final ResourceState state;
  private final Map<String, LockId> ids = new LinkedHashMap<>();
  private final Map<LockId, String> names = new LinkedHashMap<>();
  private final NodeId defaultNode = new NodeId("n1");
  private long nextLocal = 1;
  /** Effects of the last operation. */
  List<Effect> last = List.of();

  Rsb() {
    this(1);
  }

  Rsb(long generation) {
    state = new ResourceState("R", LVBLEN, generation);
  }

  LockId id(String name) {
    return ids.computeIfAbsent(name, n -> {
      LockId id = new LockId(defaultNode, nextLocal++);
      names.put(id, n);
      return id;
    });
  }

  /** Binds a lock name to a specific owner node (for purge tests). */
  LockId id(String name, String node) {
    return ids.computeIfAbsent(name, n -> {
      LockId id = new LockId(new NodeId(node), nextLocal++);
      names.put(id, n);
      return id;
    });
  }

  static EnumSet<LockFlag> flags(LockFlag... flags) {
    EnumSet<LockFlag> set = EnumSet.noneOf(LockFlag.class);
    set.addAll(List.of(flags));
    return set;
  }

  static ValueBlock lvb(String text) {
    return ValueBlock.ofAscii(text, LVBLEN);
  }

  List<String> req(String lock, LockMode mode, LockFlag... flags) {
    return record(state.request(id(lock), mode, flags(flags), null, true));
  }

  List<String> reqNoBast(String lock, LockMode mode, LockFlag... flags) {
    return record(state.request(id(lock), mode, flags(flags), null, false));
  }

  List<String> reqLvb(String lock, LockMode mode, String buffer, LockFlag... flags) {
    return record(state.request(id(lock), mode, flags(flags), lvb(buffer), true));
  }

  List<String> cvt(String lock, LockMode mode, LockFlag... flags) {
    return record(state.convert(id(lock), mode, flags(flags), null));
  }

  List<String> cvtLvb(String lock, LockMode mode, String buffer, LockFlag... flags) {
    return record(state.convert(id(lock), mode, flags(flags), lvb(buffer)));
  }

  List<String> unl(String lock, LockFlag... flags) {
    return record(state.unlock(id(lock), flags(flags), null));
  }

  List<String> unlLvb(String lock, String buffer, LockFlag... flags) {
    return record(state.unlock(id(lock), flags(flags), lvb(buffer)));
  }

  /** An ORPHAN request from {@code node} on the master: adopt an orphan in {@code mode}. */
  List<String> adopt(String lock, String node, LockMode mode) {
    return record(state.adoptOrphan(id(lock, node), mode, flags(LockFlag.ORPHAN), true));
  }

  List<String> cancel(String lock) {
    return record(state.cancel(id(lock), flags(LockFlag.CANCEL)));
  }

  List<String> record(List<Effect> effects) {
    state.checkInvariants();
    last = effects;
    return render(effects);
  }

  List<String> render(List<Effect> effects) {
    List<String> out = new ArrayList<>();
    for (Effect e : effects) {
      out.add(render(e));
    }
    return out;
  }

  String render(Effect e) {
    String l = name(e.lock());
    if (e instanceof Effect.Completion c) {
      String s = "CAST(" + l + "," + c.status() + "," + LockMode.nameOf(c.grantedMode());
      if (c.sbflags().bits() != 0) {
        s += "," + c.sbflags();
      }
      return s + ")";
    } else if (e instanceof Effect.Blocking b) {
      return "BAST(" + l + "," + b.mode() + ")";
    } else if (e instanceof Effect.Queued) {
      return "QUEUED(" + l + ")";
    } else if (e instanceof Effect.Destroyed) {
      return "GONE(" + l + ")";
    } else if (e instanceof Effect.CancelIgnored) {
      return "NOCANCEL(" + l + ")";
    } else if (e instanceof Effect.Rejected r) {
      return "REJECT(" + l + "," + r.status() + ")";
    } else if (e instanceof Effect.DeadlockWarning) {
      return "DEADLOCK(" + l + ")";
    } else if (e instanceof Effect.Purged) {
      return "PURGED(" + l + ")";
    } else if (e instanceof Effect.Orphaned o) {
      names.putIfAbsent(o.orphan(), l); // the orphan keeps the lock's test name under its new id
      return "ORPHANED(" + l + ")";
    }
    throw new AssertionError("unknown effect " + e);
  }

  String name(LockId id) {
    String n = names.get(id);
    return n != null ? n : id.toString();
  }

  /** Only the CASTs and BASTs of the last operation. */
  List<String> callbacks() {
    List<String> out = new ArrayList<>();
    for (Effect e : last) {
      if (e instanceof Effect.Completion || e instanceof Effect.Blocking) {
        out.add(render(e));
      }
    }
    return out;
  }

  /** A queue rendered like the spec: {@code L1:PR} on G, {@code L2:PR>EX} on C, {@code L3:EX} on W. */
  List<String> queue(ResourceState.Queue which) {
    List<String> out = new ArrayList<>();
    for (LockView v : state.queue(which)) {
      String n = name(v.lock());
      out.add(switch (which) {
        case GRANTED -> n + ":" + v.granted();
        case CONVERTING -> n + ":" + LockMode.nameOf(v.granted()) + ">" + v.requested();
        case WAITING -> n + ":" + v.requested();
      });
    }
    return out;
  }

  List<String> g() {
    return queue(ResourceState.Queue.GRANTED);
  }

  List<String> c() {
    return queue(ResourceState.Queue.CONVERTING);
  }

  List<String> w() {
    return queue(ResourceState.Queue.WAITING);
  }

  LockView view(String lock) {
    return state.lock(id(lock)).orElseThrow(() -> new AssertionError(lock + " is not on the master"));
  }

  /** The completion effect of the last operation for a lock. */
  Effect.Completion cast(String lock) {
    for (Effect e : last) {
      if (e instanceof Effect.Completion c && c.lock().equals(id(lock))) {
        return c;
      }
    }
    throw new AssertionError("no CAST for " + lock + " in " + render(last));
  }

  void assertGone(String lock) {
    assertThat(state.lock(id(lock))).as(lock + " gone").isEmpty();
  }
}

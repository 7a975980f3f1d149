package org.jdlm.scenario.chaos.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jdlm.dlm.core.FencingToken;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.scenario.chaos.core.Event.OpKind;
import org.jdlm.scenario.chaos.core.Event.Type;

/**
 * A correct lock service, a fencing disk and the four kinds of client, simulated step by step
 * under a random scheduler: every history it produces must pass every checker. With
 * {@code brokenLock} an EX request is granted even while another holds the lock, which is the
 * double grant the exclusion checker must catch; {@link #doubleGrants} says whether it happened.
 */
final class SequentialModel {

  private enum Kind { MUTEX, LVB, RW_WRITER, RW_READER }

  private static final int PARTS = 3;

  private final Random random;
  private final boolean brokenLock;
  private final List<Event> events = new ArrayList<>();
  private long now;
  int doubleGrants;

  // The lock service: per resource its holders (process -> mode), FIFO queue and token counter.
  private final Map<String, Map<Integer, LockMode>> holders = new HashMap<>();
  private final Map<String, Deque<Integer>> queues = new HashMap<>();
  private final Map<String, Long> counters = new HashMap<>();
  private final Map<Integer, FencingToken> tokens = new HashMap<>();
  // The storage: register values with their last accepted token, value blocks, multi-part values.
  private final Map<String, Long> registers = new HashMap<>();
  private final Map<String, FencingToken> accepted = new HashMap<>();
  private final Map<String, Long> lvbs = new HashMap<>();
  private final Map<String, long[]> values = new HashMap<>();
  private long version;

  private final class Client {
    final int id;
    final Kind kind;
    final String resource;
    final LockMode mode;
    int state;
    int part;
    long read;
    long writing;
    long[] seen;

    Client(int id, Kind kind, String resource) {
      this.id = id;
      this.kind = kind;
      this.resource = resource;
      this.mode = kind == Kind.RW_READER ? LockMode.PR : LockMode.EX;
    }

    Event.Op op(Type type, OpKind f) {
      return new Event.Op(type, now, 0, id, "n" + (id % 3 + 1), 0, f, resource, f == OpKind.ACQUIRE ? mode : null,
          null, null, null, false, null);
    }

    boolean granted() {
      return holders.get(resource).containsKey(id);
    }

    /** One step; false when waiting for a grant. */
    boolean step() {
      OpKind acquireKind = kind == Kind.LVB ? OpKind.INCREMENT : OpKind.ACQUIRE;
      switch (state) {
        case 0 -> {
          emit(op(Type.INVOKE, acquireKind));
          request(this);
          state = 1;
        }
        case 1 -> {
          if (!granted()) {
            return false;
          }
          if (kind == Kind.LVB) {
            read = lvbs.getOrDefault(resource, 0L);
            state = 2;
          } else {
            emit(op(Type.OK, OpKind.ACQUIRE).withToken(tokens.get(id)));
            state = 3;
          }
        }
        case 2 -> { // LVB: write back at the unlock, then acknowledge
          lvbs.put(resource, read + 1);
          FencingToken token = tokens.get(id);
          release(this);
          emit(op(Type.OK, OpKind.INCREMENT).withValue(read).withToken(token));
          state = 0;
        }
        case 3 -> { // critical section
          switch (kind) {
            case MUTEX -> {
              writing = registers.getOrDefault("reg-" + resource, 0L) + 1;
              emit(op(Type.INVOKE, OpKind.WRITE).withValue(writing).withToken(tokens.get(id))
                  .withResource("reg-" + resource));
            }
            case RW_WRITER -> {
              writing = ++version;
              part = 0;
              emit(op(Type.INVOKE, OpKind.WRITE).withParts(parts(writing)).withToken(tokens.get(id)));
            }
            default -> {
              part = 0;
              seen = new long[PARTS];
              emit(op(Type.INVOKE, OpKind.READ));
            }
          }
          state = 4;
        }
        case 4 -> {
          switch (kind) {
            case MUTEX -> {
              FencingToken token = tokens.get(id);
              FencingToken last = accepted.get(resource);
              boolean ok = last == null || token.compareTo(last) >= 0;
              if (ok) {
                accepted.put(resource, token);
                registers.put("reg-" + resource, writing);
              }
              emit(op(ok ? Type.OK : Type.FAIL, OpKind.WRITE).withValue(writing).withToken(token)
                  .withResource("reg-" + resource));
              state = 5;
            }
            case RW_WRITER -> { // one part per step, so readers could see a torn value without the lock
              values.computeIfAbsent(resource, r -> new long[PARTS])[part++] = writing;
              if (part == PARTS) {
                emit(op(Type.OK, OpKind.WRITE).withParts(parts(writing)).withToken(tokens.get(id)));
                state = 5;
              }
            }
            default -> {
              seen[part] = values.computeIfAbsent(resource, r -> new long[PARTS])[part];
              part++;
              if (part == PARTS) {
                emit(op(Type.OK, OpKind.READ).withParts(Arrays.stream(seen).boxed().toList()));
                state = 5;
              }
            }
          }
        }
        case 5 -> {
          emit(op(Type.INVOKE, OpKind.RELEASE));
          state = 6;
        }
        case 6 -> {
          release(this);
          emit(op(Type.OK, OpKind.RELEASE));
          state = 0;
        }
        default -> throw new IllegalStateException("state " + state);
      }
      return true;
    }
  }

  private static List<Long> parts(long v) {
    return List.of(v, v, v);
  }

  SequentialModel(long seed, boolean brokenLock) {
    this.random = new Random(seed);
    this.brokenLock = brokenLock;
  }

  private void emit(Event.Op op) {
    events.add(op);
  }

  private void request(Client c) {
    holders.computeIfAbsent(c.resource, r -> new HashMap<>());
    queues.computeIfAbsent(c.resource, r -> new ArrayDeque<>()).add(c.id);
    grantPass(c.resource);
  }

  private void release(Client c) {
    holders.get(c.resource).remove(c.id);
    grantPass(c.resource);
  }

  private final Map<Integer, Client> clients = new HashMap<>();

  private void grantPass(String resource) {
    Map<Integer, LockMode> held = holders.get(resource);
    Deque<Integer> queue = queues.get(resource);
    while (!queue.isEmpty()) {
      Client next = clients.get(queue.peek());
      boolean compatible = held.values().stream().allMatch(m -> m == LockMode.PR && next.mode == LockMode.PR);
      if (!compatible && !(brokenLock && next.mode == LockMode.EX)) {
        return;
      }
      if (!compatible) {
        doubleGrants++;
      }
      if (held.isEmpty()) {
        counters.merge(resource, 1L, Long::sum); // a grant from the free state gets a new token
      }
      held.put(queue.poll(), next.mode);
      tokens.put(next.id, new FencingToken(1, counters.get(resource)));
    }
  }

  /** Runs {@code steps} random steps, then lets every client finish its cycle, then reads the finals. */
  History run(int processes, int steps) {
    Kind[] kinds = Kind.values();
    for (int p = 1; p <= processes; p++) {
      Kind kind = kinds[random.nextInt(kinds.length)];
      String resource = switch (kind) {
        case MUTEX -> "m" + random.nextInt(2);
        case LVB -> "c" + random.nextInt(2);
        default -> "v" + random.nextInt(2);
      };
      clients.put(p, new Client(p, kind, resource));
    }
    List<Client> all = new ArrayList<>(clients.values());
    for (int i = 0; i < steps; i++) {
      now++;
      all.get(random.nextInt(all.size())).step();
    }
    for (int round = 0; round < 10_000 && all.stream().anyMatch(c -> c.state != 0); round++) {
      for (Client c : all) {
        if (c.state != 0) {
          now++;
          c.step();
        }
      }
    }
    now++;
    registers.forEach((r, v) -> events.add(new Event.Op(Type.OK, now, 0, -1, "harness", 0, OpKind.FINAL, r, null, v,
        null, null, false, null)));
    lvbs.forEach((r, v) -> events.add(new Event.Op(Type.OK, now, 0, -1, "harness", 0, OpKind.FINAL, r, null, v,
        null, null, false, null)));
    return new History(events);
  }
}

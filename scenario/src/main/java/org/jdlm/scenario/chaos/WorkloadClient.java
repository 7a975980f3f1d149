package org.jdlm.scenario.chaos;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.jdlm.dlm.api.DlmException;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockResult;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.FencingToken;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.scenario.chaos.core.Event;
import org.jdlm.scenario.chaos.core.Event.OpKind;
import org.jdlm.scenario.chaos.core.Event.Type;

/**
 * One client of a chaos run: a loop of workload operations through the DLM Java API on one
 * member, every invoke and completion recorded. After an indeterminate outcome (timeout) the
 * client continues as a new process, as in Jepsen: the old one may still have an operation in
 * flight.
 */
public final class WorkloadClient implements Runnable {

  /** The hot resources of mutex and lvb-counter, and the values of rw: few, so that clients contend. */
  public static final int HOT = 2;

  /** Parts of an rw value; written one at a time so that an unlocked reader would see them torn. */
  static final int PARTS = 3;

  private final Workload workload;
  private final LockspaceHandle lockspace;
  private final String member;
  private final long incarnation;
  private final Recorder recorder;
  private final Register disk;
  private final Duration timeout;
  private final BooleanSupplier stop;
  private final SplittableRandom random;
  private int process;

  public WorkloadClient(Workload workload, LockspaceHandle lockspace, String member, long incarnation,
      Recorder recorder, Register disk, Duration timeout, long seed, BooleanSupplier stop) {
    this.workload = workload;
    this.lockspace = lockspace;
    this.member = member;
    this.incarnation = incarnation;
    this.recorder = recorder;
    this.disk = disk;
    this.timeout = timeout;
    this.stop = stop;
    this.random = new SplittableRandom(seed);
    this.process = recorder.newProcess();
  }

  /** Thrown when an operation's outcome is unknown; the client then continues as a new process. */
  private static final class Indeterminate extends Exception {
    Indeterminate(String why) {
      super(why, null, false, false);
    }
  }

  @Override
  public void run() {
    List<LockHandle> pins = workload == Workload.LVB_COUNTER ? pinCounters() : List.of();
    try {
      loop();
    } finally {
      for (LockHandle pin : pins) {
        try {
          pin.unlock(EnumSet.noneOf(LockFlag.class), null);
        } catch (DlmException ignored) {
          // The pin is going away with its member anyway.
        }
      }
    }
  }

  /**
   * An NL lock on every counter for the whole run: a value block lives only while some lock
   * references its resource (docs/semantics.md §4, Lifetime), so without a pin the counter would
   * read zero again whenever no client happened to hold it.
   */
  private List<LockHandle> pinCounters() {
    List<LockHandle> pins = new ArrayList<>();
    for (int i = 0; i < HOT; i++) {
      LockHandle pin = lockspace.lock("counter-" + i, LockMode.NL, EnumSet.noneOf(LockFlag.class), null, null);
      try {
        await(pin.completion());
        pins.add(pin);
      } catch (Indeterminate | InterruptedException e) {
        abandon(pin);
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
      }
    }
    return pins;
  }

  private void loop() {
    while (!stop.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
      try {
        switch (workload) {
          case MUTEX -> mutex("mutex-" + random.nextInt(HOT));
          case RW -> {
            if (random.nextInt(3) == 0) {
              rwWrite("rw-" + random.nextInt(HOT));
            } else {
              rwRead("rw-" + random.nextInt(HOT));
            }
          }
          case LVB_COUNTER -> increment("counter-" + random.nextInt(HOT));
          default -> throw new IllegalStateException("workload " + workload);
        }
      } catch (Indeterminate e) {
        process = recorder.newProcess();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Event.Op invoke(OpKind f, String resource, LockMode mode) {
    return recorder.record(new Event.Op(Type.INVOKE, recorder.now(), recorder.wall(), process, member, incarnation,
        f, resource, mode, null, null, null, false, null));
  }

  private Event.Op complete(Event.Op invoke, Type type) {
    return recorder.record(invoke.complete(type, recorder.now(), recorder.wall()));
  }

  /** The lock's grant, or null after recording fail; Indeterminate after recording info. */
  private LockHandle acquire(Event.Op invoke, String resource, LockMode mode, Set<LockFlag> flags, byte[] lvb,
      LockResult[] granted) throws Indeterminate, InterruptedException {
    LockHandle lock;
    try {
      lock = lockspace.lock(resource, mode, flags, lvb, null);
    } catch (DlmException e) {
      recorder.record(invoke.complete(Type.FAIL, recorder.now(), recorder.wall()).withError(e.getMessage()));
      return null;
    }
    LockResult result;
    try {
      result = await(lock.completion());
    } catch (Indeterminate e) {
      recorder.record(invoke.complete(Type.INFO, recorder.now(), recorder.wall()).withError(e.getMessage()));
      abandon(lock);
      throw e;
    }
    if (!result.granted()) {
      recorder.record(invoke.complete(Type.FAIL, recorder.now(), recorder.wall()).withError(result.status().name()));
      return null;
    }
    granted[0] = result;
    return lock;
  }

  /** A granted lock of this client and the fencing token its grant carried. */
  private record Held(LockHandle lock, FencingToken token) {}

  /**
   * Invokes and records one plain acquire of {@code resource} in {@code mode}: the grant with its
   * token recorded OK, or null after a recorded FAIL (Indeterminate after a recorded INFO).
   */
  private Held hold(String resource, LockMode mode) throws Indeterminate, InterruptedException {
    Event.Op acquire = invoke(OpKind.ACQUIRE, resource, mode);
    LockResult[] granted = new LockResult[1];
    LockHandle lock = acquire(acquire, resource, mode, EnumSet.noneOf(LockFlag.class), null, granted);
    if (lock == null) {
      return null;
    }
    FencingToken token = granted[0].token();
    recorder.record(acquire.complete(Type.OK, recorder.now(), recorder.wall()).withToken(token));
    return new Held(lock, token);
  }

  private void mutex(String resource) throws Indeterminate, InterruptedException {
    Held held = hold(resource, LockMode.EX);
    if (held == null) {
      return;
    }
    LockHandle lock = held.lock();
    FencingToken token = held.token();
    String register = "reg-" + resource;
    long value;
    try {
      value = disk.read(register) + 1;
    } catch (Register.Unavailable e) {
      release(lock, resource, null); // nothing written: the register was not readable
      return;
    }
    // Work under the lock takes time: a critical section of a few microseconds would leave a
    // double grant almost no window to show, and a read-modify-write almost no window to lose.
    Thread.sleep(1);
    Event.Op write = recorder.record(new Event.Op(Type.INVOKE, recorder.now(), recorder.wall(), process, member,
        incarnation, OpKind.WRITE, register, null, value, null, token, false, null));
    Register.Outcome outcome = disk.write(register, value, token);
    if (outcome == Register.Outcome.UNKNOWN) {
      recorder.record(write.complete(Type.INFO, recorder.now(), recorder.wall()).withError("the disk did not answer"));
      release(lock, resource, null);
      throw new Indeterminate("write to " + register + " unanswered");
    }
    complete(write, outcome == Register.Outcome.ACCEPTED ? Type.OK : Type.FAIL);
    release(lock, resource, null);
  }

  private void rwWrite(String resource) throws Indeterminate, InterruptedException {
    Held held = hold(resource, LockMode.EX);
    if (held == null) {
      return;
    }
    LockHandle lock = held.lock();
    FencingToken token = held.token();
    long version;
    try {
      version = disk.read(resource + "/0") + 1;
    } catch (Register.Unavailable e) {
      release(lock, resource, null);
      return;
    }
    List<Long> parts = new ArrayList<>();
    for (int i = 0; i < PARTS; i++) {
      parts.add(version);
    }
    Event.Op write = recorder.record(new Event.Op(Type.INVOKE, recorder.now(), recorder.wall(), process, member,
        incarnation, OpKind.WRITE, resource, null, null, parts, token, false, null));
    int written = 0;
    int refused = 0;
    for (int i = 0; i < PARTS; i++) {
      Register.Outcome outcome = disk.write(resource + "/" + i, version, token);
      if (outcome == Register.Outcome.ACCEPTED) {
        written++;
      } else if (outcome == Register.Outcome.REJECTED) {
        refused++;
      }
      Thread.sleep(1);
    }
    complete(write, written == PARTS ? Type.OK : refused == PARTS ? Type.FAIL : Type.INFO);
    release(lock, resource, null);
  }

  private void rwRead(String resource) throws Indeterminate, InterruptedException {
    Held held = hold(resource, LockMode.PR);
    if (held == null) {
      return;
    }
    LockHandle lock = held.lock();
    Event.Op read = invoke(OpKind.READ, resource, null);
    List<Long> parts = new ArrayList<>();
    try {
      for (int i = 0; i < PARTS; i++) {
        parts.add(disk.read(resource + "/" + i));
        Thread.sleep(1);
      }
    } catch (Register.Unavailable e) {
      // A read that saw nothing certain: fail (a read changes nothing, so it is not indeterminate).
      recorder.record(read.complete(Type.FAIL, recorder.now(), recorder.wall()).withError(e.getMessage()));
      release(lock, resource, null);
      return;
    }
    recorder.record(read.complete(Type.OK, recorder.now(), recorder.wall()).withParts(parts));
    release(lock, resource, null);
  }

  /**
   * Reads the counter under EX with VALBLK and writes it back incremented at the unlock. On
   * VALNOTVALID (docs/semantics.md §4) the value block cannot be vouched for and the counter has no
   * other source to rebuild it from: the client takes the value as it is, reports the flag in the
   * history (the checker counts what was lost), and its write makes the block valid again.
   */
  private void increment(String counter) throws Indeterminate, InterruptedException {
    Event.Op invoke = invoke(OpKind.INCREMENT, counter, null);
    LockResult[] granted = new LockResult[1];
    LockHandle lock = acquire(invoke, counter, LockMode.EX, EnumSet.of(LockFlag.VALBLK),
        new byte[lockspace.lvbLength()], granted);
    if (lock == null) {
      return;
    }
    long read = decode(granted[0].lvb());
    boolean valNotValid = granted[0].sbflags().valNotValid();
    byte[] lvb = new byte[lockspace.lvbLength()];
    ByteBuffer.wrap(lvb).putLong(read + 1);
    Event.Op done = invoke.withValue(read).withToken(granted[0].token()).withValNotValid(valNotValid);
    try {
      LockResult unlocked = await(lock.unlock(EnumSet.of(LockFlag.VALBLK), lvb));
      recorder.record(done.complete(unlocked.status() == CastStatus.EUNLOCK ? Type.OK : Type.INFO, recorder.now(),
          recorder.wall()));
    } catch (Indeterminate e) {
      recorder.record(done.complete(Type.INFO, recorder.now(), recorder.wall()).withError(e.getMessage()));
      throw e;
    } catch (DlmException e) {
      recorder.record(done.complete(Type.INFO, recorder.now(), recorder.wall()).withError(e.getMessage()));
      throw new Indeterminate(e.getMessage());
    }
  }

  private void release(LockHandle lock, String resource, byte[] lvb) throws Indeterminate, InterruptedException {
    Event.Op release = invoke(OpKind.RELEASE, resource, null);
    try {
      LockResult result = await(lock.unlock(EnumSet.noneOf(LockFlag.class), lvb));
      complete(release, result.status() == CastStatus.EUNLOCK ? Type.OK : Type.FAIL);
    } catch (Indeterminate e) {
      recorder.record(release.complete(Type.INFO, recorder.now(), recorder.wall()).withError(e.getMessage()));
      throw e;
    } catch (DlmException e) {
      recorder.record(release.complete(Type.FAIL, recorder.now(), recorder.wall()).withError(e.getMessage()));
    }
  }

  /** Gives up on a lock whose request timed out: cancel it, and unlock it should it be granted anyway. */
  private static void abandon(LockHandle lock) {
    try {
      lock.cancel();
    } catch (DlmException ignored) {
      // Nothing in flight to cancel: the completion below still unlocks a late grant.
    }
    lock.completion().thenAccept(result -> {
      if (result.granted()) {
        try {
          lock.unlock(EnumSet.of(LockFlag.FORCEUNLOCK), null);
        } catch (DlmException ignored) {
          // Already going away: nothing more to do for an abandoned lock.
        }
      }
    });
  }

  static long decode(byte[] lvb) {
    return lvb == null || lvb.length < Long.BYTES ? 0 : ByteBuffer.wrap(lvb).getLong();
  }

  private LockResult await(CompletionStage<LockResult> stage) throws Indeterminate, InterruptedException {
    try {
      return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new Indeterminate("no answer within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      throw new Indeterminate(String.valueOf(e.getCause()));
    }
  }
}

package org.jdlm.scenario.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockResult;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.scenario.chaos.core.Event;
import org.jdlm.scenario.chaos.core.History;

/**
 * Runs a workload's clients on every member for a while, then records the harness's final reads
 * (registers from the disk; counters through an EX lock with VALBLK) and returns the history.
 * Member {@code i} (0-based) is {@code n(i+1)}, incarnation 0.
 */
public final class WorkloadRun {

  private WorkloadRun() {}

  public static History run(Workload workload, List<LockspaceHandle> members, int clientsPerMember,
      Duration duration, Duration opTimeout, long seed, Recorder recorder, Register disk)
      throws InterruptedException {
    // The harness pins the counters with NL locks of its own for the whole run, so that the final
    // read still finds the value blocks after the clients let go of theirs (docs/semantics.md §4).
    List<LockHandle> pins = new ArrayList<>();
    if (workload == Workload.LVB_COUNTER) {
      for (int i = 0; i < WorkloadClient.HOT; i++) {
        LockHandle pin = members.get(0).lock("counter-" + i, LockMode.NL, EnumSet.noneOf(LockFlag.class), null, null);
        await(pin, opTimeout);
        pins.add(pin);
      }
    }
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      for (int c = 0; c < clientsPerMember; c++) {
        WorkloadClient client = new WorkloadClient(workload, members.get(i), "n" + (i + 1), 0, recorder, disk,
            opTimeout, seed * 1_000 + i * 100 + c, stop::get);
        Thread thread = new Thread(client, "chaos-client-n" + (i + 1) + "-" + c);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      }
    }
    Thread.sleep(duration.toMillis());
    stop.set(true);
    long deadline = System.nanoTime() + opTimeout.toNanos() * 3;
    for (Thread thread : threads) {
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      thread.interrupt();
    }
    recordFinals(workload, members.get(0), opTimeout, recorder, disk);
    for (LockHandle pin : pins) {
      pin.unlock(EnumSet.noneOf(LockFlag.class), null);
    }
    return recorder.history();
  }

  private static void await(LockHandle lock, Duration timeout) throws InterruptedException {
    try {
      LockResult result = lock.completion().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!result.granted()) {
        throw new IllegalStateException("the harness's NL pin on " + lock.displayName() + " was refused: " + result);
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the harness's NL pin on " + lock.displayName() + " got no grant within "
          + timeout.toMillis() + " ms", e);
    }
  }

  /** The end-of-run values the no-lost-update checkers compare with. */
  public static void recordFinals(Workload workload, LockspaceHandle lockspace, Duration timeout, Recorder recorder,
      Register disk) throws InterruptedException {
    for (int i = 0; i < WorkloadClient.HOT; i++) {
      switch (workload) {
        case MUTEX -> {
          String register = "reg-mutex-" + i;
          try {
            recorder.record(finalRead(recorder, register, disk.read(register), false));
          } catch (Register.Unavailable e) {
            // No final value: the register checker then has nothing to compare the count with.
          }
        }
        case LVB_COUNTER -> {
          String counter = "counter-" + i;
          LockHandle lock = lockspace.lock(counter, LockMode.EX, EnumSet.of(LockFlag.VALBLK),
              new byte[lockspace.lvbLength()], null);
          try {
            LockResult result = lock.completion().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (result.granted()) {
              recorder.record(finalRead(recorder, counter, WorkloadClient.decode(result.lvb()),
                  result.sbflags().valNotValid()));
              // No VALBLK on this unlock: reading the final value must not write it.
              lock.unlock(EnumSet.noneOf(LockFlag.class), null).toCompletableFuture()
                  .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
          } catch (ExecutionException | TimeoutException e) {
            // No final value: the checker then has nothing to compare the count with, and says so
            // by its counts; liveness reports the hang.
          }
        }
        default -> {
          // rw has no count to compare: its checker looks at every read.
        }
      }
    }
  }

  private static Event.Op finalRead(Recorder recorder, String resource, long value, boolean valNotValid) {
    return new Event.Op(Event.Type.OK, recorder.now(), recorder.wall(), -1, "harness", 0, Event.OpKind.FINAL,
        resource, null, value, null, null, valNotValid, null);
  }
}

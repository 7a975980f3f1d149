package org.jdlm.fs;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.fs.core.DlmReply;
import org.jdlm.fs.core.GlockName;
import org.jdlm.kernel.Task;

/**
 * A {@link LockModule} wrapper for tests: records every call with the kernel task and thread that
 * made it, and every completion; tests wait for a recorded event with a bound.
 */
final class CountingLockModule implements LockModule {

  /** One call or completion; {@code task} is the calling kernel task's name, or null off a task. */
  record Event(String op, GlockName name, LockMode mode, Set<LockFlag> flags, String task, String thread,
               DlmReply reply) {}

  private final LockModule delegate;
  private final List<Event> events = new ArrayList<>();
  private final Map<Lksb, Lksb> proxies = new IdentityHashMap<>();
  private boolean holdUnlocks;
  private final List<Runnable> held = new ArrayList<>();

  CountingLockModule(LockModule delegate) {
    this.delegate = delegate;
  }

  @Override
  public String name() {
    return "counting(" + delegate.name() + ")";
  }

  @Override
  public void lock(Lksb lksb, LockMode mode, Set<LockFlag> flags) {
    record(flags.contains(LockFlag.CONVERT) ? "convert" : "request", lksb.name(), mode, flags, null);
    delegate.lock(proxy(lksb), mode, flags);
  }

  @Override
  public void putLock(Lksb lksb, Set<LockFlag> flags) {
    record("unlock", lksb.name(), null, flags, null);
    delegate.putLock(proxy(lksb), flags);
  }

  @Override
  public void cancel(Lksb lksb) {
    record("cancel", lksb.name(), null, Set.of(), null);
    delegate.cancel(proxy(lksb));
  }

  /** From now on, EUNLOCK completions are held back until {@link #releaseHeld()} (a slow unlock). */
  synchronized void holdUnlockCompletions() {
    holdUnlocks = true;
  }

  /** Delivers the held completions and stops holding. */
  void releaseHeld() {
    List<Runnable> now;
    synchronized (this) {
      holdUnlocks = false;
      now = List.copyOf(held);
      held.clear();
    }
    now.forEach(Runnable::run);
  }

  /** The DLM calls made so far (not completions). */
  synchronized List<Event> calls() {
    return events.stream().filter(e -> Set.of("request", "convert", "unlock", "cancel").contains(e.op())).toList();
  }

  synchronized List<Event> events() {
    return List.copyOf(events);
  }

  /** Waits (bounded) until an event matching {@code p} has been recorded; returns it. */
  synchronized Event await(String what, Predicate<Event> p, long boundMillis) throws InterruptedException {
    long deadline = System.nanoTime() + boundMillis * 1_000_000;
    while (true) {
      for (Event e : events) {
        if (p.test(e)) {
          return e;
        }
      }
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        throw new AssertionError("no lock module event " + what + " within " + boundMillis + " ms; saw " + events);
      }
      wait(left);
    }
  }

  private synchronized void record(String op, GlockName name, LockMode mode, Set<LockFlag> flags, DlmReply reply) {
    Task t = Task.currentOrNull();
    events.add(new Event(op, name, mode, Set.copyOf(flags), t == null ? null : t.name(),
        Thread.currentThread().getName(), reply));
    notifyAll();
  }

  private synchronized Lksb proxy(Lksb real) {
    return proxies.computeIfAbsent(real, r -> {
      Lksb p = new Lksb(r.name(), new Callbacks() {
        @Override
        public void completed(DlmReply reply) {
          synchronized (CountingLockModule.this) {
            if (holdUnlocks && reply == DlmReply.UnlockDone.INSTANCE) {
              held.add(() -> completed(reply));
              return;
            }
          }
          record("completed", r.name(), null, Set.of(), reply);
          r.callbacks().completed(reply);
        }

        @Override
        public void blocking(LockMode mode) {
          record("bast", r.name(), mode, Set.of(), null);
          r.callbacks().blocking(mode);
        }

        @Override
        public void failed(String reason) {
          r.callbacks().failed(reason);
        }
      }, r.lvb() == null ? 0 : r.lvb().length);
      return p;
    });
  }
}

package org.jdlm.dlm.api;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;

/**
 * A {@link java.util.concurrent.locks.Lock} over one DLM resource in one mode (EX by default):
 * each acquisition is a new DLM lock, so threads of one node exclude each other exactly as nodes
 * do.
 *
 * <ul>
 *   <li>{@link #tryLock()} is a NOQUEUE request (EAGAIN → {@code false}).</li>
 *   <li>{@link #tryLock(long, TimeUnit)} and {@link #lockInterruptibly()} cancel the request on
 *       timeout or interrupt; if the grant won the race with the cancel, the lock is kept
 *       ({@code true}) or, on interrupt, released before {@link InterruptedException} is thrown.</li>
 *   <li>Not reentrant: a thread that holds it and calls {@code lock} again gets
 *       {@link IllegalStateException} (a second DLM lock would wait for the first forever).</li>
 *   <li>{@link #unlock()} by a thread that does not hold it throws
 *       {@link IllegalMonitorStateException}; it waits until the master confirmed the unlock.</li>
 *   <li>{@link #newCondition()} is unsupported: a condition would need a wait queue shared across
 *       nodes, which the DLM does not provide.</li>
 *   <li>Never call these methods from a blocking listener or completion stage of the same
 *       lockspace: those run on the lockspace's callback thread, which the waits depend on.</li>
 * </ul>
 */
public final class DlmLock implements Lock {

  private final LockspaceHandle lockspace;
  private final byte[] name;
  private final LockMode mode;
  private final ConcurrentHashMap<Thread, LockHandle> held = new ConcurrentHashMap<>();

  /** An EX lock on {@code name}. */
  public DlmLock(LockspaceHandle lockspace, String name) {
    this(lockspace, name.getBytes(StandardCharsets.UTF_8), LockMode.EX);
  }

  /** A lock on {@code name} in {@code mode} (used by {@link DlmReadWriteLock} for PR). */
  public DlmLock(LockspaceHandle lockspace, byte[] name, LockMode mode) {
    this.lockspace = lockspace;
    this.name = name.clone();
    this.mode = mode;
  }

  @Override
  public void lock() {
    LockHandle handle = request(Set.of());
    boolean interrupted = false;
    while (true) {
      try {
        LockResult result = handle.completion().toCompletableFuture().get();
        held(handle, result);
        break;
      } catch (InterruptedException e) {
        interrupted = true; // lock() is not interruptible: keep waiting, restore the flag after
      } catch (ExecutionException e) {
        throw new IllegalStateException("DLM lock request failed: " + e.getCause(), e.getCause());
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void lockInterruptibly() throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    LockHandle handle = request(Set.of());
    try {
      held(handle, handle.completion().toCompletableFuture().get());
    } catch (InterruptedException e) {
      if (cancelAndCheckGranted(handle)) {
        join(handle.unlock(Set.of(), null)); // the grant won the race; give it back
      }
      throw e;
    } catch (ExecutionException e) {
      throw new IllegalStateException("DLM lock request failed: " + e.getCause(), e.getCause());
    }
  }

  @Override
  public boolean tryLock() {
    LockHandle handle = request(EnumSet.of(LockFlag.NOQUEUE));
    LockResult result = join(handle.completion());
    if (result.status() == CastStatus.EAGAIN) {
      return false;
    }
    held(handle, result);
    return true;
  }

  @Override
  public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    LockHandle handle = request(Set.of());
    try {
      held(handle, handle.completion().toCompletableFuture().get(time, unit));
      return true;
    } catch (TimeoutException e) {
      if (cancelAndCheckGranted(handle)) {
        held(handle, join(handle.completion()));
        return true;
      }
      return false;
    } catch (InterruptedException e) {
      if (cancelAndCheckGranted(handle)) {
        join(handle.unlock(Set.of(), null));
      }
      throw e;
    } catch (ExecutionException e) {
      throw new IllegalStateException("DLM lock request failed: " + e.getCause(), e.getCause());
    }
  }

  @Override
  public void unlock() {
    LockHandle handle = held.remove(Thread.currentThread());
    if (handle == null) {
      throw new IllegalMonitorStateException("the current thread does not hold DLM lock "
          + new String(name, StandardCharsets.UTF_8));
    }
    join(handle.unlock(Set.of(), null));
  }

  /** Unsupported: the DLM has no cross-node condition queues. */
  @Override
  public Condition newCondition() {
    throw new UnsupportedOperationException("DlmLock has no conditions: the DLM provides no shared wait queue");
  }

  private LockHandle request(Set<LockFlag> flags) {
    if (held.containsKey(Thread.currentThread())) {
      throw new IllegalStateException("DlmLock is not reentrant and the current thread already holds it");
    }
    return lockspace.lock(name, mode, flags, null, null);
  }

  private void held(LockHandle handle, LockResult result) {
    if (result.status() != CastStatus.OK) {
      throw new IllegalStateException("DLM lock request ended with " + result);
    }
    held.put(Thread.currentThread(), handle);
  }

  /** Cancels a pending request; true if the lock was granted anyway (semantics §2.6 race). */
  private static boolean cancelAndCheckGranted(LockHandle handle) {
    try {
      join(handle.cancel());
    } catch (DlmException e) {
      // ENOENT/EINVAL: the request already ended (destroyed or being cancelled); look at its result.
    }
    LockResult outcome = join(handle.completion());
    return outcome.status() == CastStatus.OK;
  }

  private static LockResult join(java.util.concurrent.CompletionStage<LockResult> stage) {
    CompletableFuture<LockResult> f = stage.toCompletableFuture();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          throw new IllegalStateException("DLM operation failed: " + e.getCause(), e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

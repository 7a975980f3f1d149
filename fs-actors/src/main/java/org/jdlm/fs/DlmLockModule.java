package org.jdlm.fs;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.jdlm.dlm.api.DlmException;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockResult;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.SyncStatus;
import org.jdlm.fs.core.DlmReply;
import org.jdlm.kernel.Task;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.WaitEdge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code lock_dlm}: glocks over one DLM lockspace per filesystem, through the public DLM API. The
 * resource name is {@link org.jdlm.fs.core.GlockName#dlmResourceName()}, so DLM and glock dumps join.
 *
 * <p>Every call made by a kernel task first waits, in that task, while the lockspace is stopped for
 * recovery, as {@code dlm_lock}/{@code dlm_unlock} wait at entry in {@code down_read(ls_in_recovery)}
 * (fs-cycles §4.1 step 3): the task shows {@code waits-dlm-running} on {@code dlm/ls:NAME} until
 * the lockspace resumes. That is the edge cycles (a) and (b) share (§5.2: the final put's unlock,
 * or a dealloc's EX request, in the reclaiming task). A caller that is not a kernel task (an actor)
 * cannot wait; the DLM API parks its call until the resume instead.
 */
public final class DlmLockModule implements LockModule {
  private static final Logger LOG = LoggerFactory.getLogger(DlmLockModule.class);

  private final LockspaceHandle lockspace;

  public DlmLockModule(LockspaceHandle lockspace) {
    this.lockspace = lockspace;
  }

  @Override
  public String name() {
    return "lock_dlm:" + lockspace.name();
  }

  /** The LVB buffer size every glock of this filesystem must use. */
  public int lvbLength() {
    return lockspace.lvbLength();
  }

  @Override
  public void lock(Lksb lksb, LockMode mode, Set<LockFlag> flags) {
    waitRunning();
    EnumSet<LockFlag> f = flags.isEmpty() ? EnumSet.noneOf(LockFlag.class) : EnumSet.copyOf(flags);
    boolean convert = f.remove(LockFlag.CONVERT);
    LockHandle handle = (LockHandle) lksb.handle();
    if (convert) {
      if (handle == null) {
        throw new IllegalStateException("glock " + lksb.name() + ": conversion to " + mode + " without a DLM lock");
      }
      report(lksb, handle.convert(mode, f, lksb.lvb()));
      return;
    }
    if (handle != null) {
      throw new IllegalStateException("glock " + lksb.name() + ": new DLM request while lock " + handle.id()
          + " exists (a glock has one lkb)");
    }
    LockHandle fresh = lockspace.lock(lksb.name().dlmResourceName(), mode, f, lksb.lvb(),
        (lock, requested) -> lksb.callbacks().blocking(requested));
    lksb.handle(fresh);
    report(lksb, fresh.completion().thenApply(result -> {
      // A first request that was not granted (a TRY that failed, a cancel) leaves no DLM lock
      // behind: the glock's next request is a new one again (GFS2 keeps GLF_INITIAL set).
      DlmReply reply = DlmReply.of(result.status(), result.grantedMode());
      if (reply == DlmReply.TryFailed.INSTANCE || reply == DlmReply.Canceled.INSTANCE) {
        lksb.handle(null);
      }
      return result;
    }));
  }

  @Override
  public void putLock(Lksb lksb, Set<LockFlag> flags) {
    LockHandle handle = (LockHandle) lksb.handle();
    if (handle == null) {
      throw new IllegalStateException("glock " + lksb.name() + ": final put of a glock that has no DLM lock");
    }
    waitRunning();
    CompletionStage<LockResult> unlocked;
    try {
      unlocked = handle.unlock(flags, lksb.lvb());
    } catch (DlmException e) {
      if (e.code() != SyncStatus.ENOMEM) {
        throw e;
      }
      // gdlm_put_lock: "gdlm_unlock ... err=" and return. The unlock's send buffer could not be had
      // (the reserve is gone): the glock and its DLM lock are leaked, as in Linux, rather than an
      // exception ending the evicting task (kswapd, a task in direct reclaim) inside a shrinker.
      LOG.error("gdlm_unlock {} err=ENOMEM: {}; the glock and its DLM lock {} are leaked", lksb.name(), e.reason(),
          handle.id());
      return;
    }
    report(lksb, unlocked);
  }

  @Override
  public void cancel(Lksb lksb) {
    LockHandle handle = (LockHandle) lksb.handle();
    if (handle != null) {
      waitRunning();
      handle.cancel(); // the cancelled request's own completion reports ECANCEL
    }
  }

  /**
   * {@code down_read(ls_in_recovery)}: a kernel task waits here while the lockspace is stopped,
   * bounded by the kernel's {@code tasks.max-wait} (then {@link Task.WaitTimedOut}).
   */
  private void waitRunning() {
    Task task = Task.currentOrNull();
    if (task == null) {
      return;
    }
    CompletableFuture<Void> running = lockspace.whenRunning().toCompletableFuture();
    if (!running.isDone()) {
      task.await(WaitEdge.of(EdgeKind.WAITS_DLM_RUNNING, "", "ls:" + lockspace.name()), running);
    }
  }

  private static void report(Lksb lksb, CompletionStage<LockResult> stage) {
    stage.whenComplete((result, error) -> {
      if (error != null) {
        // A refused call is a bug in the glock layer (it asked for something illegal): the glock
        // actor crashes on it with the reason rather than waiting for ever.
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        LOG.error("DLM call for glock {} failed: {}", lksb.name(), cause.toString());
        lksb.callbacks().failed(cause.toString());
        return;
      }
      lksb.callbacks().completed(DlmReply.of(result.status(), result.grantedMode()));
    });
  }
}

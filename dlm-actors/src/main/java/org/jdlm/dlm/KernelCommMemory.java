package org.jdlm.dlm;

import java.util.Objects;
import org.jdlm.dlm.api.CommMemory;
import org.jdlm.dlm.api.CommSettings;
import org.jdlm.dlm.api.DlmException;
import org.jdlm.dlm.core.HeldSends;
import org.jdlm.dlm.core.SyncStatus;
import org.jdlm.kernel.Allocation;
import org.jdlm.kernel.AllocationResult;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.Mempool;
import org.jdlm.kernel.Task;
import org.jdlm.kernel.core.GfpMask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DLM's send buffers taken from one member's {@link Kernel} memory, as lowcomms takes its
 * write buffers with the lockspace's {@code ls_allocation} (docs/kernel.md, "The DLM's send
 * buffers").
 *
 * <ul>
 *   <li><b>Caller context.</b> A kernel task allocates with the lockspace's mask (FS =
 *       {@code GFP_KERNEL}, NOFS = {@code GFP_NOFS}): it may reclaim in the task, re-entering
 *       shrinkers (cycle a), and wait on {@code mem} with a {@code waits-memory} edge. A thread that
 *       is not a kernel task (a plain Java user) is interrupt-like to the kernel: it may not block
 *       there, and a wait the registry cannot show would hide a cycle, so it tries {@code NOWAIT}
 *       and, when that fails, sends unaccounted (counted in {@code unaccounted}) rather than fail a
 *       call Linux would never see from such a context.</li>
 *   <li><b>Reserve (F-a4).</b> With {@code reserve > 0} every buffer goes through the lockspace's
 *       mempool {@code dlm-comm:NAME}: the allocator without waiting first, then a reserved
 *       element; only when both are gone does a task wait, on the pool, not on reclaim.</li>
 *   <li><b>Actor context.</b> Masters never block: a reply or BAST to another member takes a
 *       buffer with {@code NOWAIT} (or a pool element); without one it is held in a FIFO per
 *       destination and sent when memory is freed (the kernel's free event, or a buffer of this
 *       lockspace coming back). A message for a destination with held messages is held behind
 *       them, so a pair's order is kept.</li>
 * </ul>
 */
public final class KernelCommMemory implements CommMemory {

  private final Kernel kernel;

  public KernelCommMemory(Kernel kernel) {
    this.kernel = Objects.requireNonNull(kernel, "kernel");
  }

  /** The kernel whose memory this serves. */
  public Kernel kernel() {
    return kernel;
  }

  @Override
  public LockspaceComm open(String lockspace, CommSettings settings) {
    return new Comm(kernel, lockspace, settings);
  }

  private static final class Comm implements LockspaceComm {
    private static final Logger LOG = LoggerFactory.getLogger(KernelCommMemory.class);

    private final Kernel kernel;
    private final String lockspace;
    private final GfpMask mask;
    private final long bytes;
    private final Mempool pool;
    private final AutoCloseable freeListener;
    /** Held actor messages per destination, in send order; guarded by {@code this}. */
    private final HeldSends<Object, Runnable> held = new HeldSends<>();
    private boolean draining;
    private boolean closed;
    private long taken;
    private long unaccounted;
    private long sentFromActor;

    Comm(Kernel kernel, String lockspace, CommSettings settings) {
      this.kernel = kernel;
      this.lockspace = lockspace;
      this.mask = settings.mask() == CommSettings.Mask.NOFS ? GfpMask.NOFS : GfpMask.KERNEL;
      this.bytes = settings.bufferBytes();
      // Pre-allocated without waiting: a join runs on whatever thread called it, not necessarily a task.
      this.pool = settings.reserve() == 0 ? null
          : kernel.memory().createMempool("dlm-comm:" + lockspace, settings.reserve(), bytes, GfpMask.NOWAIT);
      this.freeListener = kernel.memory().whenFreed(this::drain);
    }

    @Override
    public Buffer takeInCaller() {
      Task task = Task.currentOrNull();
      GfpMask m = task == null ? GfpMask.NOWAIT : mask;
      AllocationResult r = pool != null ? pool.alloc(m) : kernel.memory().allocate(bytes, m);
      if (r instanceof Allocation a) {
        synchronized (this) {
          taken++;
        }
        return buffer(a);
      }
      String reason = ((AllocationResult.Failed) r).reason();
      if (task == null) {
        synchronized (this) {
          unaccounted++;
        }
        return null;
      }
      throw new DlmException(SyncStatus.ENOMEM, lockspace,
          "no send buffer of " + bytes + " bytes (" + m.label() + ") on " + kernel.member() + ": " + reason);
    }

    private Buffer buffer(Allocation a) {
      return () -> {
        if (pool != null) {
          pool.free(a);
          drain(); // an element back in the pool makes no kernel free event
        } else {
          a.close(); // the kernel's free event drains
        }
      };
    }

    /** Non-waiting: a pool element or a NOWAIT page; null when neither is there. */
    private Allocation tryNowait() {
      AllocationResult r = pool != null ? pool.alloc(GfpMask.NOWAIT) : kernel.memory().allocate(bytes, GfpMask.NOWAIT);
      return r instanceof Allocation a ? a : null;
    }

    @Override
    public synchronized void sendFromActor(Object destination, Runnable send) {
      if (closed) {
        send.run(); // the lockspace is stopping: nothing is accounted any more
        return;
      }
      if (!held.mustHold(destination)) {
        Allocation a = tryNowait();
        if (a != null) {
          sendWith(a, send);
          return;
        }
      }
      held.hold(destination, send);
    }

    /** Called with the monitor held; the free inside re-enters {@link #drain}, which the flag stops. */
    private void sendWith(Allocation a, Runnable send) {
      sentFromActor++;
      boolean was = draining;
      draining = true;
      try {
        send.run(); // a tell: handed to the transport, so the buffer goes back now (lowcomms frees after the write)
      } finally {
        if (pool != null) {
          pool.free(a);
        } else {
          a.close();
        }
        draining = was;
      }
    }

    /** On every free: sends held messages, oldest first per destination, while buffers can be had without waiting. */
    private synchronized void drain() {
      if (draining || held.heldNow() == 0 || closed) {
        return;
      }
      draining = true;
      try {
        while (held.peek() != null) {
          Allocation a = tryNowait();
          if (a == null) {
            return;
          }
          sendWith(a, held.take());
        }
      } finally {
        draining = false;
      }
    }

    @Override
    public synchronized CommStats stats() {
      return new CommStats(taken, unaccounted, held.heldEver(), held.heldNow(), sentFromActor);
    }

    @Override
    public void close() {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        long dropped = held.clear();
        if (dropped > 0) {
          LOG.warn("lockspace {}: {} replies held for want of send buffers dropped: the lockspace stopped", lockspace,
              dropped);
        }
      }
      try {
        freeListener.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      if (pool != null) {
        pool.destroy();
      }
    }
  }
}

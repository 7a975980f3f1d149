package org.jdlm.kernel;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Pages granted to one caller until {@link #close()} returns them. Closing twice is a bug and
 * throws. An element handed out by a {@link Mempool} goes back through {@link Mempool#free}.
 */
public final class Allocation implements AllocationResult, AutoCloseable {
  private final Memory memory;
  private final long id;
  private final long bytes;
  private final long pages;
  private final boolean fromReserve;
  private final AtomicBoolean freed = new AtomicBoolean();

  Allocation(Memory memory, long id, long bytes, long pages, boolean fromReserve) {
    this.memory = memory;
    this.id = id;
    this.bytes = bytes;
    this.pages = pages;
    this.fromReserve = fromReserve;
  }

  public long id() {
    return id;
  }

  public long bytes() {
    return bytes;
  }

  public long pages() {
    return pages;
  }

  /** Whether the grant dipped below the min watermark (PF_MEMALLOC or ATOMIC reserve). */
  public boolean fromReserve() {
    return fromReserve;
  }

  public boolean isFreed() {
    return freed.get();
  }

  @Override
  public void close() {
    if (!freed.compareAndSet(false, true)) {
      throw new IllegalStateException("double free of allocation " + id + " (" + pages + " pages)");
    }
    memory.release(this);
  }

  @Override
  public String toString() {
    return "allocation " + id + " (" + pages + "p" + (fromReserve ? ", reserve" : "") + ")";
  }
}

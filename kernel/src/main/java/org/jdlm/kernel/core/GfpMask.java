package org.jdlm.kernel.core;

/**
 * Allocation context of one request, after Linux's {@code gfp_t} masks: it says which reclaim the
 * allocator may perform on the caller's behalf while it waits.
 *
 * <pre>
 *   mask        may wait   may reclaim FS objects   may start IO   may dip into reserves
 *   KERNEL         yes             yes                  yes              no
 *   NOFS           yes             no                   yes              no
 *   NOIO           yes             no                   no               no
 *   NOWAIT         no              no                   no               no
 *   ATOMIC         no              no                   no          yes (partially)
 * </pre>
 *
 * <p>NOWAIT is {@code GFP_NOWAIT}: an opportunistic attempt that neither reclaims nor touches the
 * reserve (a workqueue creating a worker tries it and summons its rescuer when it fails).
 *
 * <p>The filesystem layer registers shrinkers that honour only some masks; a fence agent running
 * with NOFS cannot make progress through an inode shrinker, which is how the cycle of fs-cycles §5.2
 * closes. The reserve is reachable only by {@link TaskFlag#MEMALLOC} tasks and (partly) ATOMIC.
 */
public enum GfpMask {
  KERNEL(true, true, true),
  NOFS(true, false, true),
  NOIO(true, false, false),
  NOWAIT(false, false, false),
  ATOMIC(false, false, false);

  private final boolean mayWait;
  private final boolean mayReclaimFs;
  private final boolean mayIo;

  GfpMask(boolean mayWait, boolean mayReclaimFs, boolean mayIo) {
    this.mayWait = mayWait;
    this.mayReclaimFs = mayReclaimFs;
    this.mayIo = mayIo;
  }

  /** Whether the caller may be parked until memory is freed (ATOMIC fails instead). */
  public boolean mayWait() {
    return mayWait;
  }

  /** Whether reclaim on this caller's behalf may call into filesystem shrinkers (__GFP_FS). */
  public boolean mayReclaimFs() {
    return mayReclaimFs;
  }

  /** Whether reclaim on this caller's behalf may start writeback (__GFP_IO). */
  public boolean mayIo() {
    return mayIo;
  }

  /** The Linux spelling, as dumps and the detector print it ({@code GFP_NOFS}). */
  public String label() {
    return "GFP_" + name();
  }
}

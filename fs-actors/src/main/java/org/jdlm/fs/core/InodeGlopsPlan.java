package org.jdlm.fs.core;

import java.util.Set;

/**
 * What the file layer does for an inode glock's {@link GlockEffect.RunGlops} ({@code go_sync} then
 * {@code go_inval}), decided from the glops' cache work: the one place that maps GFS2's operation
 * names onto the page cache and the cached dinode.
 *
 * <pre>
 *  cache work in the glops              action
 *  sync WRITE_DATA                      write every dirty page in place (ordered: data first)
 *  sync WRITE_METADATA / FLUSH_LOG      commit the cached dinode through the metadata writer
 *  inval TRUNCATE_DATA                  lock each page, drop it (dirty ones were written above)
 *  inval TRUNCATE_METADATA              forget the cached dinode (the next holder reads the disk)
 *  UNMAP_SHARED_MMAPS                   nothing: mappings keep no resident pages (every touch faults)
 * </pre>
 */
public record InodeGlopsPlan(boolean writeData, boolean commitDinode, boolean dropPages, boolean dropDinode) {

  public static InodeGlopsPlan of(Set<CacheWork> sync, Set<CacheWork> invalidate) {
    return new InodeGlopsPlan(sync.contains(CacheWork.WRITE_DATA),
        sync.contains(CacheWork.WRITE_METADATA) || sync.contains(CacheWork.FLUSH_LOG),
        invalidate.contains(CacheWork.TRUNCATE_DATA),
        invalidate.contains(CacheWork.TRUNCATE_METADATA));
  }

  /** Nothing to do (a promote, or a demote of a clean glock that keeps its cache). */
  public boolean nothing() {
    return !writeData && !commitDinode && !dropPages && !dropDinode;
  }
}

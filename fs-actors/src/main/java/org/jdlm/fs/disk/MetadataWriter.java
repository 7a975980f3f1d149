package org.jdlm.fs.disk;

import java.util.List;

/**
 * Where the filesystem's metadata changes go (dinodes, directory blocks, allocation bitmaps): one
 * call per transaction. The journal's implementation logs the transaction in the member's own
 * journal before writing the blocks in place, so after a crash and a replay by a survivor either
 * every block of a committed transaction is on the disk or, for a transaction that never
 * committed, none is: a synced change survives its member, an unsynced one may be lost but is never
 * half applied. File data is not journalled (GFS2's ordered mode): the filesystem writes data
 * blocks in place before it commits the metadata that points at them.
 */
public interface MetadataWriter {

  /**
   * Makes {@code writes} durable as one unit and in place on the disk, then returns; blocks the
   * calling kernel task meanwhile. Fails, changing nothing a reader could see as half applied, when
   * the device refuses (a fenced member).
   */
  void commit(List<BlockWrite> writes) throws DiskError;

  /**
   * No journal: writes each block in place in order. A crash between two writes leaves the
   * transaction half applied, so only single-node tests over {@code lock_nolock} and the journal's
   * own tests (to show what it prevents) may use it.
   */
  static MetadataWriter direct(BlockDevice device) {
    return writes -> {
      for (BlockWrite w : writes) {
        device.write(w.block(), w.data());
      }
    };
  }
}

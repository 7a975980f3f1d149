package org.jdlm.fs.disk;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A shared disk held in this JVM, for members of an in-process cluster (and pure filesystem
 * tests): one store, one {@link #member view} per member. It keeps the two properties the
 * filesystem relies on — an acknowledged write is seen by every later read on every member, and a
 * {@link #fence fenced} member's writes are refused — and nothing else (no latency, no torn
 * writes). Real members use the storage-fenced shared disk of the {@code fencing} module.
 */
public final class MemoryBlockDevice {
  private final String name;
  private final int blockSize;
  private final int blockCount;
  private final Map<Integer, byte[]> blocks = new HashMap<>();
  private final Set<String> fenced = new HashSet<>();
  private long writes;

  public MemoryBlockDevice(String name, int blockSize, int blockCount) {
    this.name = Objects.requireNonNull(name, "name");
    if (blockSize <= 0 || blockCount <= 0) {
      throw new IllegalArgumentException(name + ": block size and count must be positive, got "
          + blockSize + " and " + blockCount);
    }
    this.blockSize = blockSize;
    this.blockCount = blockCount;
  }

  /** The device as {@code member} sees it. */
  public BlockDevice member(String member) {
    Objects.requireNonNull(member, "member");
    return new BlockDevice() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public int blockSize() {
        return blockSize;
      }

      @Override
      public int blockCount() {
        return blockCount;
      }

      @Override
      public byte[] read(int block) throws DiskError {
        return MemoryBlockDevice.this.read(block);
      }

      @Override
      public void write(int block, byte[] data) throws DiskError {
        MemoryBlockDevice.this.write(member, block, data);
      }

      @Override
      public String toString() {
        return name + "@" + member;
      }
    };
  }

  /** Pre-empts {@code member}'s registration: its later writes are refused (storage fencing). */
  public synchronized void fence(String member) {
    fenced.add(member);
  }

  /** Registers {@code member} again (a restarted incarnation that rejoined). */
  public synchronized void unfence(String member) {
    fenced.remove(member);
  }

  /** Acknowledged writes so far, from every member. */
  public synchronized long writes() {
    return writes;
  }

  private synchronized byte[] read(int block) throws DiskError {
    check(block);
    byte[] b = blocks.get(block);
    return b == null ? new byte[blockSize] : b.clone();
  }

  private synchronized void write(String member, int block, byte[] data) throws DiskError {
    check(block);
    if (data.length > blockSize) {
      throw new DiskError(DiskError.Kind.TOO_LARGE, name, block, data.length + " bytes > block size " + blockSize);
    }
    if (fenced.contains(member)) {
      throw new DiskError(DiskError.Kind.FENCED, name, block, member + "'s registration was pre-empted");
    }
    blocks.put(block, Arrays.copyOf(data, blockSize));
    writes++;
  }

  private void check(int block) throws DiskError {
    if (block < 0 || block >= blockCount) {
      throw new DiskError(DiskError.Kind.OUT_OF_RANGE, name, block, "valid blocks are 0.." + (blockCount - 1));
    }
  }
}

package org.jdlm.fs.core;


/** Bounds of the inode cache, from {@code jdlm.fs.inode} in {@code reference.conf}. */
public record InodeSettings(long iopenUpgradeTimeoutMillis, int lruScanBatch) {

  public InodeSettings {
    if (iopenUpgradeTimeoutMillis <= 0 || lruScanBatch < 1) {
      throw new IllegalArgumentException("jdlm.fs.inode: iopen-upgrade-timeout (" + iopenUpgradeTimeoutMillis
          + " ms) must be > 0 and lru-scan-batch (" + lruScanBatch + ") >= 1");
    }
  }
}

package org.jdlm.fs.disk;

/** A read or write the device refused, with the block and the reason (checked: callers decide). */
public final class DiskError extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why the device refused. */
  public enum Kind {
    /** This member's registration was pre-empted: it has been fenced off the disk. */
    FENCED,
    /** The block number is outside the device. */
    OUT_OF_RANGE,
    /** More bytes than a block holds. */
    TOO_LARGE,
    /** The device did not answer or failed (journal error, timeout). */
    IO
  }

  private final Kind kind;
  private final int block;

  public DiskError(Kind kind, String device, int block, String reason) {
    super(device + " block " + block + ": " + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
        + (reason.isEmpty() ? "" : ": " + reason));
    this.kind = kind;
    this.block = block;
  }

  public Kind kind() {
    return kind;
  }

  public int block() {
    return block;
  }
}

package org.jdlm.dlm.api;

import org.jdlm.dlm.core.SyncStatus;

/**
 * Per-lockspace settings given to {@link org.jdlm.dlm.Dlm#joinLockspace}. Every member must use the same
 * values (semantics §4: lvblen is fixed at lockspace creation and the same on all nodes).
 *
 * @param lvbLength value block length in bytes: a positive multiple of 8 (default 32, libdlm's
 *                  {@code DLM_LVB_LEN}), at most {@code jdlm.dlm-actors.max-lvb-length}
 * @param comm      this lockspace's send-buffer settings, or null for the node's
 *                  {@code jdlm.dlm-actors.comm} (used only when a {@link CommMemory} is installed;
 *                  a member-local choice, like {@code ls_allocation}, so members may differ)
 */
public record LockspaceSettings(int lvbLength, CommSettings comm) {

  /** The default value block length (libdlm's {@code DLM_LVB_LEN}). */
  public static final int DEFAULT_LVB_LENGTH = 32;

  public LockspaceSettings {
    if (lvbLength <= 0 || lvbLength % 8 != 0) {
      throw new DlmException(SyncStatus.EINVAL, lvbLength, "lvblen must be a positive multiple of 8 (semantics §4)");
    }
  }

  /** {@code lvbLength} with the node's comm settings. */
  public LockspaceSettings(int lvbLength) {
    this(lvbLength, null);
  }

  /** lvblen 32. */
  public static LockspaceSettings defaults() {
    return new LockspaceSettings(DEFAULT_LVB_LENGTH);
  }

  /** The same settings with another lvblen. */
  public LockspaceSettings withLvbLength(int length) {
    return new LockspaceSettings(length, comm);
  }

  /** The same settings with this lockspace's own send-buffer settings (null: the node's). */
  public LockspaceSettings withComm(CommSettings commSettings) {
    return new LockspaceSettings(lvbLength, commSettings);
  }
}

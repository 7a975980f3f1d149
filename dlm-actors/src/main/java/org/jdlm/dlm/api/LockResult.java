package org.jdlm.dlm.api;

import java.util.HexFormat;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.FencingToken;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.SbFlags;

/**
 * The outcome of one lock operation: the completion callback's status block (libdlm's
 * {@code dlm_lksb}).
 *
 * @param status      OK, EAGAIN, EDEADLK, ECANCEL or EUNLOCK (semantics §2.9)
 * @param grantedMode the lock's granted mode after the operation, or {@code null} when it holds none
 * @param lvb         a copy of the value block when the operation carried VALBLK and was granted,
 *                    else {@code null}
 * @param sbflags     DEMOTED, VALNOTVALID, ALTMODE
 * @param token       the lock's fencing token while it holds a mode, else {@code null}
 */
public record LockResult(CastStatus status, LockMode grantedMode, byte[] lvb, SbFlags sbflags, FencingToken token) {

  public LockResult {
    lvb = lvb == null ? null : lvb.clone();
  }

  /** A copy of the value block, or {@code null}. */
  @Override
  public byte[] lvb() {
    return lvb == null ? null : lvb.clone();
  }

  /** True when the request or conversion was granted. */
  public boolean granted() {
    return status == CastStatus.OK;
  }

  @Override
  public String toString() {
    return "LockResult[" + status + " granted=" + (grantedMode == null ? "IV" : grantedMode) + " sbflags=" + sbflags
        + (lvb == null ? "" : " lvb=" + HexFormat.of().formatHex(lvb)) + " token=" + token + "]";
  }
}

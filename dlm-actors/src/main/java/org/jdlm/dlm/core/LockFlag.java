package org.jdlm.dlm.core;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Request options of {@code dlm_lock}/{@code dlm_unlock} with their Linux values
 * ({@code include/uapi/linux/dlmconstants.h}); semantics per semantics §2.7. Flags that describe a
 * lock's <em>state</em> are not here (style §10): they are the state types.
 */
public enum LockFlag {
  /** Do not queue: failure completes with EAGAIN. */
  NOQUEUE(0x1),
  /** {@code dlm_unlock} only: cancel a queued request or conversion. */
  CANCEL(0x2),
  /** Convert an existing lock instead of requesting a new one. */
  CONVERT(0x4),
  /** Take part in value-block transfer (semantics §4). */
  VALBLK(0x8),
  /** Conversion only: queue FIFO behind existing conversions (semantics §2.2 rule 6). */
  QUECVT(0x10),
  /** On a write-direction transition, invalidate the resource LVB instead of writing it. */
  IVVALBLK(0x20),
  /** Conversion only: resolve a conversion deadlock by demoting this lock to NL. */
  CONVDEADLK(0x40),
  /** The lock becomes an orphan when its process exits (TV-61) or, here, when its node dies
   *  (issue 4; docs/recovery.md "Orphans"), instead of being released. */
  PERSISTENT(0x80),
  /** On conversion deadlock, queue anyway and get a self-BAST from later passes. */
  NODLCKWT(0x100),
  /** Documented, unimplemented in Linux (semantics §11.5); accepted and ignored. */
  NODLCKBLK(0x200),
  /** New NL requests only: grant at once, ignoring the convert and wait queues. */
  EXPEDITE(0x400),
  /** With NOQUEUE: on failure, BAST the incompatible locks in the grant and convert queues. */
  NOQUEUEBAST(0x800),
  /** Join the head of the wait/convert queue instead of the tail. */
  HEADQUE(0x1000),
  /** Grant as soon as compatible, ignoring queue order (semantics §2.2 rule 7). */
  NOORDER(0x2000),
  /** Adopt an orphan lock of the same name and mode: one of this node's, else a dead node's on
   *  the master (answered by CAST OK, EAGAIN or ENOENT). */
  ORPHAN(0x4000),
  /** If not grantable as requested, try PR. */
  ALTPR(0x8000),
  /** If not grantable as requested, try CW. */
  ALTCW(0x10000),
  /** {@code dlm_unlock} only: unlock even with a request in flight or the lock queued. */
  FORCEUNLOCK(0x20000),
  /** Deprecated and reserved (removed from Linux in 2023); accepted and ignored. */
  TIMEOUT(0x40000);

  private final int value;

  LockFlag(int value) {
    this.value = value;
  }

  /** The Linux {@code DLM_LKF_*} bit. */
  public int value() {
    return value;
  }

  /** Parses one flag name (case-insensitive); an unknown name names the accepted ones. */
  public static LockFlag parse(String name) {
    if (name != null) {
      String upper = name.trim().toUpperCase(Locale.ROOT);
      for (LockFlag f : values()) {
        if (f.name().equals(upper)) {
          return f;
        }
      }
    }
    throw new IllegalArgumentException("unknown lock flag '" + name + "': expected one of "
        + java.util.Arrays.toString(values()));
  }

  /** Parses a comma-separated list such as {@code "NOQUEUE,NOQUEUEBAST"}; empty → no flags. */
  public static EnumSet<LockFlag> parseList(String list) {
    EnumSet<LockFlag> flags = EnumSet.noneOf(LockFlag.class);
    if (list == null || list.isBlank()) {
      return flags;
    }
    for (String part : list.split(",")) {
      flags.add(parse(part));
    }
    return flags;
  }

  /** The Linux flag word of a set. */
  public static int bits(Collection<LockFlag> flags) {
    int bits = 0;
    for (LockFlag f : flags) {
      bits |= f.value;
    }
    return bits;
  }

  /** The set for a Linux flag word; unknown bits are reported, not dropped. */
  public static EnumSet<LockFlag> fromBits(int bits) {
    EnumSet<LockFlag> flags = EnumSet.noneOf(LockFlag.class);
    int rest = bits;
    for (LockFlag f : values()) {
      if ((bits & f.value) != 0) {
        flags.add(f);
        rest &= ~f.value;
      }
    }
    if (rest != 0) {
      throw new IllegalArgumentException(
          "flag word 0x" + Integer.toHexString(bits) + " has unknown bits 0x" + Integer.toHexString(rest));
    }
    return flags;
  }

  /** A defensive, mutable copy (EnumSet.copyOf fails on an empty plain collection). */
  public static EnumSet<LockFlag> copyOf(Set<LockFlag> flags) {
    EnumSet<LockFlag> copy = EnumSet.noneOf(LockFlag.class);
    copy.addAll(flags);
    return copy;
  }
}

package org.jdlm.fs.core;

/**
 * Glock types with GFS2's numbers ({@code LM_TYPE_*}, fs-cycles §1.1). One glock exists per
 * (type, number) per node; each inode has two: the inode glock and the iopen glock.
 */
public enum GlockType {
  /** Small constants: mount, live, freeze, rename, control locks. */
  NONDISK(1, false),
  /** The dinode's disk address; its LVB remembers the last deleted generation. */
  INODE(2, true),
  /** Resource group header block; the LVB caches free counts. */
  RGRP(3, true),
  /** Metadata (no per-type operations). */
  META(4, false),
  /** The dinode's address; held SH by every node that caches the inode (fs-cycles §2.2). */
  IOPEN(5, false),
  /** flock(2) locks. */
  FLOCK(6, false),
  /** POSIX locks (go through dlm_controld in Linux; declared for completeness). */
  PLOCK(7, false),
  /** Quota id; the LVB carries the quota values. */
  QUOTA(8, true),
  /** Journal id; taken by journal recovery. */
  JOURNAL(9, false);

  private final int number;
  private final boolean hasLvb;

  GlockType(int number, boolean hasLvb) {
    this.number = number;
    this.hasLvb = hasLvb;
  }

  /** GFS2's {@code LM_TYPE_*} value, printed in decimal in {@code n:type/number}. */
  public int number() {
    return number;
  }

  /** Whether the glock's DLM lock carries a value block ({@code GLOF_LVB}): requests add VALBLK. */
  public boolean hasLvb() {
    return hasLvb;
  }

  /** The type with GFS2 number {@code n}. */
  public static GlockType ofNumber(int n) {
    for (GlockType t : values()) {
      if (t.number == n) {
        return t;
      }
    }
    throw new IllegalArgumentException("glock type " + n + " is not one of GFS2's types 1..9");
  }
}

package org.jdlm.scenario;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What an fs statement ({@link Statement.Fs}) asks one member to do: mount, unmount, set its memory,
 * or have a named kernel task run one filesystem or memory call (docs/scenarios.md "Filesystem and
 * kernel"). Filesystem names are the file's own; the runner gives each file its own instance.
 */
public sealed interface FsCommand {

  /** {@code nX mount FS [put-async-in-reclaim=on|off] [hold-time=D]}: mount FS on nX (joins its lockspace). */
  record Mount(String fs, Boolean putAsyncInReclaim, Long holdTimeMillis) implements FsCommand {}

  /** {@code nX unmount FS}. */
  record Unmount(String fs) implements FsCommand {}

  /** {@code nX memory total=Np min=Np low=Np high=Np}: nX's page budget and watermarks. */
  record Memory(long total, long min, long low, long high) implements FsCommand {}

  /**
   * {@code nX task T [flags=…] CALL … [async] [=> CODE]}: task T of nX (a kernel task, created on
   * first use) runs CALL with {@code flags} added for the call (a {@code memalloc_*_save} scope).
   * Without {@code async} the statement waits for the call to end and checks its code; with it, it
   * returns once the task took the call ({@code await nX task T done} later).
   */
  record TaskCall(String task, Set<String> flags, Call call, boolean async, String expectedCode)
      implements FsCommand {
    public TaskCall {
      flags = Collections.unmodifiableSet(new LinkedHashSet<>(flags));
    }
  }

  /** One call a named task makes. */
  sealed interface Call {}

  /** {@code glock FS T/N nq STATE [hflags=…]}: get the glock and enqueue a holder; waits for the grant. */
  record Nq(String fs, String glock, String state, Set<String> holderFlags) implements Call {
    public Nq {
      holderFlags = Collections.unmodifiableSet(new LinkedHashSet<>(holderFlags));
    }
  }

  /** {@code glock FS T/N dq|get|put|put-async}: the task's latest holder / a reference of the glock. */
  record GlockRefCall(String fs, String glock, String verb) implements Call {}

  /** {@code iget|iput|unlink FS INO}: inode calls; iput and unlink use a reference the task got by iget. */
  record InodeCall(String fs, String verb, long ino) implements Call {}

  /** {@code drop-caches FS}: evict every unused cached inode of FS in this task. */
  record DropCaches(String fs) implements Call {}

  /** {@code alloc Np [mask=GFP_…]}: allocate N pages and keep them until {@code free}. */
  record Alloc(long pages, String mask) implements Call {}

  /** {@code free}: free every page the task allocated with {@code alloc}. */
  record Free() implements Call {}
}

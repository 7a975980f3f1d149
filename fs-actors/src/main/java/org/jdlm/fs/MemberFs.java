package org.jdlm.fs;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.jdlm.dlm.Dlm;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.kernel.Kernel;

/**
 * One filesystem mounted on one member: its DLM lockspace (one per filesystem, named as the
 * filesystem, as {@code gfs2_mount} → {@code gdlm_mount} joins the lockspace of the lock table
 * name), its glocks over that lockspace ({@link Glocks}, {@link DlmLockModule}) and its inode cache
 * ({@link InodeCache}), all on the member's {@link Kernel}. This is the {@code struct gfs2_sbd} of
 * the member: the file layer (page cache, read/write) and the journal are added to it as further
 * fields, beside the glocks and inodes, so what holds a mount stays one object.
 *
 * <p>Mounting joins the lockspace and waits (bounded) for the join; unmounting stops the glock
 * actors and unregisters the shrinkers. Unmount does not yet demote glocks in order or leave the
 * lockspace (docs/filesystem.md §8 "Not built yet"): the DLM locks stay as the glocks left them
 * until the member stops.
 */
public final class MemberFs implements AutoCloseable {
  /** The LVB length of a filesystem lockspace ({@code GDLM_LVB_SIZE} is 32 bytes). */
  public static final int LVB_LENGTH = 32;

  private final String name;
  private final LockspaceHandle lockspace;
  private final Glocks glocks;
  private final InodeCache inodes;
  private final FsSettings settings;

  private MemberFs(String name, LockspaceHandle lockspace, Glocks glocks, InodeCache inodes, FsSettings settings) {
    this.name = name;
    this.lockspace = lockspace;
    this.glocks = glocks;
    this.inodes = inodes;
    this.settings = settings;
  }

  /**
   * Mounts {@code name} on this member: joins its DLM lockspace (waiting at most {@code joinTimeout}),
   * then mounts the glock layer and the inode cache on {@code kernel}.
   *
   * @throws IllegalArgumentException for a name the DLM refuses, naming it
   * @throws IllegalStateException    when the join did not complete within the bound
   */
  public static MemberFs mount(ActorSystem<?> system, Kernel kernel, String name, FsSettings settings,
                               Duration joinTimeout) {
    Objects.requireNonNull(kernel, "kernel");
    LockspaceHandle ls;
    try {
      ls = Dlm.get(system).joinLockspace(name, new LockspaceSettings(LVB_LENGTH)).toCompletableFuture()
          .get(joinTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("mount " + name + ": the DLM lockspace join did not complete within "
          + joinTimeout);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalArgumentException("mount " + name + ": " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("mount " + name + " interrupted");
    } catch (org.jdlm.dlm.api.DlmException e) {
      throw new IllegalArgumentException("mount " + name + ": " + e.getMessage(), e);
    }
    DlmLockModule module = new DlmLockModule(ls);
    Glocks glocks = Glocks.mount(system, name, kernel, module, module.lvbLength(), GlockCacheOps.NONE, settings);
    InodeCache inodes = InodeCache.create(name, glocks, settings);
    return new MemberFs(name, ls, glocks, inodes, settings);
  }

  public String name() {
    return name;
  }

  public LockspaceHandle lockspace() {
    return lockspace;
  }

  public Glocks glocks() {
    return glocks;
  }

  public InodeCache inodes() {
    return inodes;
  }

  public FsSettings settings() {
    return settings;
  }

  public Kernel kernel() {
    return glocks.kernel();
  }

  /**
   * Unregisters the inode shrinker, stops the glock layer and destroys the filesystem's workqueues
   * (their workers' memory goes back to the member); see the class comment for what is not done.
   */
  @Override
  public void close() {
    try {
      inodes.close();
    } finally {
      glocks.close();
      glocks.workqueue().destroy();
      inodes.deleteWorkqueue().destroy();
    }
  }
}

package org.jdlm.fs.disk;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.jdlm.fencing.SharedDisk;
import org.jdlm.fencing.core.SharedDiskState;
import org.jdlm.fencing.core.WriteToken;
import org.jdlm.kernel.Task;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.WaitEdge;

/**
 * The storage-fenced shared disk of the {@code fencing} module ({@link SharedDisk}, a cluster
 * singleton per LUN) as one member incarnation's {@link BlockDevice}: what the filesystem runs on
 * in a real cluster, where {@link MemoryBlockDevice} only stands in for it in single-JVM tests.
 *
 * <p><b>Waiting.</b> Every read and write is an ask of the disk whose answer is awaited <em>in the
 * calling kernel task</em>, with a {@code waits-reply} edge to {@code disk:<lun>} registered for the
 * whole wait (so a task stuck on the disk shows in the wait-for graph like a task in
 * {@code submit_bio}). Called outside a kernel task (mkfs from a tool, a test thread) it waits
 * plainly. Either way the wait is bounded by {@code jdlm.fs.shared-disk.request-timeout}; no answer
 * within it is {@link DiskError.Kind#IO} (the filesystem turns that into EIO).
 *
 * <p><b>Registration.</b> The device registers this incarnation's key with the disk before its
 * first write (reads need none, as on a SCSI-3 "write exclusive, registrants only" LUN), not at
 * construction, so building a device never blocks and a member can mount read paths while the disk
 * is still being elected. Pass the key the node assembly registers at start (NodeServices): the
 * disk takes an identical registration as a no-op. A registration the disk refuses (the
 * incarnation was pre-empted before it ever wrote) is {@link DiskError.Kind#FENCED}; one that got
 * no answer is {@link DiskError.Kind#IO} and is tried again on the next write.
 *
 * <p><b>Fencing token.</b> Every write carries the constant {@link #FILESYSTEM_TOKEN} (0,0), so the
 * disk's token guard (newest token per block) never refuses a filesystem write, and the disk's
 * registration guard alone fences: once a fence agent pre-empts this incarnation's key, every write
 * from it is refused ({@code KEY_REVOKED} → {@link DiskError.Kind#FENCED}), which is exactly the
 * guarantee GFS2 gets from {@code fence_scsi}. A per-write token derived from the DLM would not be
 * sound here: the DLM's counter is per resource, while one block is written over its life under
 * different locks (a block freed by one inode and allocated to another, the rgrp bitmap under the
 * rgrp glock, a journal block under the journal's own lock), so the counter a later, legitimate
 * writer holds may be smaller and the disk would refuse it for ever. A token from the fencing
 * authority's generation alone is no better: a member that mounted before a fence would hold a
 * smaller generation than one that joined after and be refused on every block the newcomer wrote.
 * The consequence: the LUN the filesystem runs on must not also be written with real tokens (the
 * lab's {@code /disk/write} endpoint), since one such write would make (0,0) stale on that block.
 * A writer whose lock was revoked while its node stayed up is kept out by the glock layer (it
 * writes back before giving up a glock), not by the disk.
 */
public final class SharedDiskDevice implements BlockDevice {

  /** The token every filesystem write carries; see the class comment for why it is constant. */
  public static final WriteToken FILESYSTEM_TOKEN = new WriteToken(0, 0);

  /** Bounds of the device's waits, from {@code jdlm.fs.shared-disk}. */
  public record Settings(Duration requestTimeout) {
    public Settings {
      Objects.requireNonNull(requestTimeout, "requestTimeout");
      if (requestTimeout.isZero() || requestTimeout.isNegative()) {
        throw new IllegalArgumentException("jdlm.fs.shared-disk.request-timeout must be positive, got " + requestTimeout);
      }
    }

    public static Settings fromConfig(Config config) {
      return new Settings(config.getDuration("jdlm.fs.shared-disk.request-timeout"));
    }
  }

  private final ActorSystem<?> system;
  private final ActorRef<SharedDisk.Command> disk;
  private final String lun;
  private final int blockSize;
  private final int blockCount;
  private final String node;
  private final long incarnation;
  private final long key;
  private final Duration timeout;
  private final Object registering = new Object();
  private volatile boolean registered;

  /**
   * The disk {@code disk} (a {@link SharedDisk} or its singleton proxy) of geometry
   * {@code diskSettings}, as incarnation {@code incarnation} of member {@code node} sees it, writing
   * under registration key {@code key} (non-zero).
   */
  public SharedDiskDevice(ActorSystem<?> system, ActorRef<SharedDisk.Command> disk, SharedDisk.Settings diskSettings,
                          String node, long incarnation, long key, Settings settings) {
    this.system = Objects.requireNonNull(system, "system");
    this.disk = Objects.requireNonNull(disk, "disk");
    this.lun = diskSettings.lun();
    this.blockSize = diskSettings.geometry().blockSize();
    this.blockCount = diskSettings.geometry().blocks();
    this.node = Objects.requireNonNull(node, "node");
    if (key == 0) {
      throw new IllegalArgumentException(node + "#" + incarnation + ": registration key 0 is reserved (SCSI-3 unregister)");
    }
    this.incarnation = incarnation;
    this.key = key;
    this.timeout = settings.requestTimeout();
  }

  /**
   * The configured LUN ({@code jdlm.fencing.shared-disk}) of {@code system}'s cluster for this
   * member incarnation: starts (or joins) the disk's singleton and returns the device over its proxy.
   */
  public static SharedDiskDevice forMember(ActorSystem<?> system, String node, long incarnation, long key) {
    Config config = system.settings().config();
    return new SharedDiskDevice(system, SharedDisk.initSingleton(system), SharedDisk.Settings.fromConfig(config),
        node, incarnation, key, Settings.fromConfig(config));
  }

  @Override
  public String name() {
    return lun;
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
    SharedDiskState.ReadOutcome outcome = ask("disk read", block, r -> new SharedDisk.Read(block, r));
    if (outcome instanceof SharedDiskState.BlockContents c) {
      // The disk keeps what was written (empty for a block never written); the contract is whole blocks.
      return Arrays.copyOf(c.data(), blockSize);
    }
    SharedDiskState.ReadRefused refused = (SharedDiskState.ReadRefused) outcome;
    throw new DiskError(DiskError.Kind.OUT_OF_RANGE, lun, block, refused.reason());
  }

  @Override
  public void write(int block, byte[] data) throws DiskError {
    Objects.requireNonNull(data, "data");
    register(block);
    SharedDiskState.WriteOutcome outcome = ask("disk write", block,
        r -> new SharedDisk.Write(node, incarnation, block, data, FILESYSTEM_TOKEN, r));
    if (outcome instanceof SharedDiskState.Written) {
      return;
    }
    SharedDiskState.WriteRejected rejected = (SharedDiskState.WriteRejected) outcome;
    DiskError.Kind kind = switch (rejected.refusal()) {
      case KEY_REVOKED -> DiskError.Kind.FENCED;
      // Only a write carrying a real (newer) token on this block can make (0,0) stale: this writer
      // has lost the block to someone the disk ranks above it, which is what being fenced means.
      case STALE_TOKEN -> DiskError.Kind.FENCED;
      case BLOCK_OUT_OF_RANGE -> DiskError.Kind.OUT_OF_RANGE;
      case DATA_TOO_LARGE -> DiskError.Kind.TOO_LARGE;
      // We registered before writing and only a preemption removes a key (which answers
      // KEY_REVOKED): the disk lost its state, so nothing here can be trusted to have landed.
      case NOT_REGISTERED -> DiskError.Kind.IO;
    };
    if (rejected.refusal() == SharedDiskState.WriteRefusal.NOT_REGISTERED) {
      registered = false;
    }
    String who = node + "#" + incarnation;
    throw new DiskError(kind, lun, block,
        rejected.detail().contains(who) ? rejected.detail() : rejected.detail() + " (writer " + who + ")");
  }

  /**
   * Registers this incarnation's key now, if it is not registered yet (a write does it otherwise):
   * for a member that only reads but must be able to pre-empt others (a preemptor must hold a
   * registration), or to learn at mount that the incarnation is already fenced. Blocks the caller
   * as a read does. FENCED when the disk refuses, IO when it does not answer.
   */
  public void register() throws DiskError {
    register(0);
  }

  /** Registers this incarnation's key once; {@code block} names the request in errors. */
  private void register(int block) throws DiskError {
    if (registered) {
      return;
    }
    synchronized (registering) {
      if (registered) {
        return;
      }
      SharedDiskState.Registration reply = ask("disk register", block,
          r -> new SharedDisk.Register(node, incarnation, key, r));
      if (reply instanceof SharedDiskState.RegistrationRefused refused) {
        throw new DiskError(DiskError.Kind.FENCED, lun, block, "registration refused: " + refused.reason());
      }
      registered = true;
    }
  }

  /** One request to the disk, awaited in the calling kernel task when there is one, bounded either way. */
  private <R> R ask(String what, int block, Function<ActorRef<R>, SharedDisk.Command> message) throws DiskError {
    CompletionStage<R> reply = AskPattern.ask(disk, message::apply, timeout, system.scheduler());
    Task task = Task.currentOrNull();
    try {
      if (task != null) {
        // The ask's own timeout fails the stage first; the task's bound is a backstop a little later.
        return task.await(WaitEdge.of(EdgeKind.WAITS_REPLY, what, "disk:" + lun), reply,
            timeout.plusMillis(500));
      }
      return reply.toCompletableFuture().get(timeout.toNanos() + 500_000_000L, TimeUnit.NANOSECONDS);
    } catch (Task.WaitTimedOut | TimeoutException e) {
      throw noAnswer(what, block);
    } catch (CompletionException | ExecutionException e) {
      if (e.getCause() instanceof TimeoutException) {
        throw noAnswer(what, block);
      }
      throw new DiskError(DiskError.Kind.IO, lun, block, what + " failed: " + e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DiskError(DiskError.Kind.IO, lun, block, what + " interrupted");
    }
  }

  private DiskError noAnswer(String what, int block) {
    return new DiskError(DiskError.Kind.IO, lun, block, what + " by " + node + "#" + incarnation
        + ": no answer from the shared disk within " + timeout + " (jdlm.fs.shared-disk.request-timeout)");
  }

  @Override
  public String toString() {
    return lun + "@" + node + "#" + incarnation;
  }
}

package org.jdlm.scenario.chaos;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.jdlm.dlm.core.FencingToken;
import org.jdlm.fencing.SharedDisk;
import org.jdlm.fencing.core.SharedDiskState;
import org.jdlm.member.ControlClient;
import org.jdlm.member.HostPort;

/**
 * The chaos workloads' registers on the lab's storage-fenced shared disk ({@link SharedDisk}, the
 * Cluster Singleton journalled in the shared store): a write carries this incarnation's identity
 * and the grant's fencing token, and the disk refuses it when the incarnation's key was revoked
 * (fenced) or the token is older than the newest accepted. So "no accepted write from a fenced
 * incarnation" is judged by the real fencing.
 *
 * <p>Writes go through another member's {@code /disk/submit} (the SAN fabric of
 * {@code DiskEndpoints}: a member the cluster removed is quarantined, and its writes through its own
 * singleton proxy would never arrive — a protection, but not the disk's). A front-end that refuses
 * the connection certainly got nothing, so the next one is tried; one that does not answer in time
 * makes the outcome unknown. Reads ask the singleton through this member's proxy.
 *
 * <p>Blocks: the workloads' register names map to fixed blocks from {@link #FIRST_BLOCK} on.
 */
public final class DiskRegister implements Register {

  /** The chaos registers' first block on the LUN (jdlm.fencing.shared-disk.blocks must exceed it + 16). */
  public static final int FIRST_BLOCK = 4000;

  private static final List<String> NAMES = names();

  private final ActorSystem<?> system;
  private final ActorRef<SharedDisk.Command> disk;
  private final String self;
  private final long incarnation;
  private final List<HostPort> frontEnds;
  private final Duration timeout;
  private final ControlClient control;
  private final SplittableRandom random;

  /**
   * @param frontEnds the control endpoints of the other members, whose {@code /disk/submit} takes
   *                  this member's writes
   */
  public DiskRegister(ActorSystem<?> system, ActorRef<SharedDisk.Command> disk, String self, long incarnation,
      List<HostPort> frontEnds, Duration timeout, long seed) {
    this.system = system;
    this.disk = disk;
    this.self = self;
    this.incarnation = incarnation;
    this.frontEnds = List.copyOf(frontEnds);
    this.timeout = timeout;
    this.control = new ControlClient(timeout);
    this.random = new SplittableRandom(seed);
    if (this.frontEnds.isEmpty()) {
      throw new IllegalArgumentException("a disk register needs at least one front-end");
    }
  }

  private static List<String> names() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < WorkloadClient.HOT; i++) {
      names.add("reg-mutex-" + i);
      for (int p = 0; p < WorkloadClient.PARTS; p++) {
        names.add("rw-" + i + "/" + p);
      }
    }
    return List.copyOf(names);
  }

  /** The block of a register name; an error for a name no workload uses. */
  static int block(String name) {
    int i = NAMES.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("no disk block for register '" + name + "'");
    }
    return FIRST_BLOCK + i;
  }

  @Override
  public long read(String name) throws Unavailable {
    int block = block(name);
    SharedDiskState.ReadOutcome outcome;
    try {
      outcome = AskPattern.<SharedDisk.Command, SharedDiskState.ReadOutcome>ask(disk,
              r -> new SharedDisk.Read(block, r), timeout, system.scheduler())
          .toCompletableFuture().get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new Unavailable("the shared disk did not answer a read of block " + block);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unavailable("interrupted");
    }
    if (outcome instanceof SharedDiskState.BlockContents c) {
      String text = new String(c.data(), StandardCharsets.UTF_8).strip();
      try {
        return text.isEmpty() ? 0 : Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new IllegalStateException("block " + block + " holds '" + text + "', not a chaos register value");
      }
    }
    throw new Unavailable("read of block " + block + " refused: " + ((SharedDiskState.ReadRefused) outcome).reason());
  }

  @Override
  public Outcome write(String name, long value, FencingToken token) {
    if (token == null) {
      return Outcome.REJECTED; // the disk takes no write without a token; no need to ask
    }
    Map<String, String> query = Map.of("node", self, "incarnation", Long.toString(incarnation),
        "block", Integer.toString(block(name)), "data", Long.toString(value),
        "generation", Long.toString(token.generation()), "counter", Long.toString(token.counter()));
    int first;
    synchronized (random) {
      first = random.nextInt(frontEnds.size());
    }
    for (int i = 0; i < frontEnds.size(); i++) {
      HostPort frontEnd = frontEnds.get((first + i) % frontEnds.size());
      try {
        ControlClient.Reply reply = control.post("the disk front-end", frontEnd, "/disk/submit", query,
            timeout.plusSeconds(1));
        if (reply.ok() && reply.body().startsWith("written ")) {
          return Outcome.ACCEPTED;
        }
        if (reply.ok() && reply.body().startsWith("rejected ")) {
          return Outcome.REJECTED;
        }
        return Outcome.UNKNOWN; // the front-end took the request but the disk did not answer it
      } catch (ControlClient.Unreachable e) {
        if (!(e.getCause() instanceof ConnectException)) {
          return Outcome.UNKNOWN; // sent, maybe delivered: no answer in time
        }
        // Connection refused: this front-end got nothing; try the next one.
      }
    }
    return Outcome.REJECTED; // every front-end refused the connection: the write went nowhere
  }
}

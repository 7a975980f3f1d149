package org.jdlm.fs.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.testkit.InprocCluster;
import org.jdlm.fencing.SharedDisk;
import org.jdlm.fencing.core.SharedDiskState;
import org.jdlm.fs.DlmLockModule;
import org.jdlm.fs.FsSettings;
import org.jdlm.fs.core.Errno;
import org.jdlm.fs.file.FileSettings;
import org.jdlm.fs.file.FileSystem;
import org.jdlm.fs.file.FsException;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.core.TaskFlag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link SharedDiskDevice} on two members of one in-process cluster, over the real
 * {@link SharedDisk} singleton (in-memory journal): the {@link BlockDevice} contract across
 * members, storage fencing by pre-emption, and the file layer with the real DLM on top. Each test
 * has its own LUN (its own singleton), so tests never see each other's blocks or registrations.
 */
class SharedDiskDeviceTest {
  private static final int BS = 512;
  private static final int BLOCKS = 256;
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private static InprocCluster cluster;
  private static final List<Kernel> kernels = new ArrayList<>();
  private static final List<FileSystem> mounts = new ArrayList<>();

  @BeforeAll
  static void start() {
    Config overrides = ConfigFactory.parseString("""
        pekko.persistence.journal.plugin = "pekko.persistence.journal.inmem"
        jdlm.fencing.shared-disk { lun = "unused", blocks = %d, block-size = %d }
        """.formatted(BLOCKS, BS));
    cluster = InprocCluster.start(2, "sdfs", LockspaceSettings.defaults(), overrides);
  }

  @AfterAll
  static void stop() {
    mounts.forEach(FileSystem::close);
    kernels.forEach(Kernel::close);
    if (cluster != null) {
      cluster.close();
    }
  }

  /** A fresh LUN as a cluster singleton; element i is member i's proxy to it. */
  private static List<ActorRef<SharedDisk.Command>> lun(String name) {
    SharedDisk.Settings settings = settings(name);
    List<ActorRef<SharedDisk.Command>> proxies = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      proxies.add(ClusterSingleton.get(cluster.system(i)).init(
          SingletonActor.of(SharedDisk.create(settings), "jdlm-shared-disk-" + name).withStopMessage(SharedDisk.Stop.INSTANCE)));
    }
    return proxies;
  }

  private static SharedDisk.Settings settings(String lun) {
    return new SharedDisk.Settings(lun, new SharedDiskState.Geometry(BLOCKS, BS), Duration.ofSeconds(1),
        Duration.ofSeconds(5));
  }

  private static SharedDiskDevice device(int member, List<ActorRef<SharedDisk.Command>> lun, String lunName,
                                         long incarnation) {
    return new SharedDiskDevice(cluster.system(member), lun.get(member), settings(lunName), "n" + member, incarnation,
        0x5D00 + 16L * member + incarnation, new SharedDiskDevice.Settings(TIMEOUT));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void aBlockWrittenOnOneMemberIsReadOnTheOtherWholeAndPaddedAndBadRequestsAreTyped() throws Exception {
    List<ActorRef<SharedDisk.Command>> lun = lun("contract");
    SharedDiskDevice a = device(0, lun, "contract", 1);
    SharedDiskDevice b = device(1, lun, "contract", 1);
    assertThat(a.blockSize()).isEqualTo(BS);
    assertThat(a.blockCount()).isEqualTo(BLOCKS);
    assertThat(b.read(7)).isEqualTo(new byte[BS]);

    a.write(7, bytes("written by n0"));
    byte[] expected = new byte[BS];
    System.arraycopy(bytes("written by n0"), 0, expected, 0, 13);
    assertThat(b.read(7)).isEqualTo(expected);
    b.write(7, bytes("then n1"));
    assertThat(a.read(7)).startsWith(bytes("then n1\0"));

    assertThatThrownBy(() -> a.write(BLOCKS, bytes("x"))).isInstanceOfSatisfying(DiskError.class, e -> {
      assertThat(e.kind()).isEqualTo(DiskError.Kind.OUT_OF_RANGE);
      assertThat(e.getMessage()).contains("block " + BLOCKS).contains("outside 0.." + (BLOCKS - 1));
    });
    assertThatThrownBy(() -> b.read(-1)).isInstanceOfSatisfying(DiskError.class,
        e -> assertThat(e.kind()).isEqualTo(DiskError.Kind.OUT_OF_RANGE));
    assertThatThrownBy(() -> a.write(3, new byte[BS + 1])).isInstanceOfSatisfying(DiskError.class, e -> {
      assertThat(e.kind()).isEqualTo(DiskError.Kind.TOO_LARGE);
      assertThat(e.getMessage()).contains("block 3").contains((BS + 1) + " bytes");
    });
  }

  @Test
  void aZeroKeyAndANonPositiveTimeoutAreRefusedWithTheValue() {
    List<ActorRef<SharedDisk.Command>> lun = lun("args");
    assertThatThrownBy(() -> new SharedDiskDevice(cluster.system(0), lun.get(0), settings("args"), "n0", 3, 0,
        new SharedDiskDevice.Settings(TIMEOUT)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n0#3").hasMessageContaining("key 0");
    assertThatThrownBy(() -> new SharedDiskDevice.Settings(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("request-timeout").hasMessageContaining("PT0S");
    assertThat(SharedDiskDevice.Settings.fromConfig(ConfigFactory.defaultReference()).requestTimeout())
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void inAKernelTaskTheWaitIsATypedEdgeAndNoAnswerIsAnIoErrorWithinTheBound() throws Exception {
    Kernel k = kernel("n0");
    // A LUN whose singleton never runs: nobody answers.
    ActorRef<SharedDisk.Command> silent = cluster.system(0).systemActorOf(Behaviors.ignore(), "silent-disk",
        org.apache.pekko.actor.typed.Props.empty());
    SharedDiskDevice dead = new SharedDiskDevice(cluster.system(0), silent, settings("silent"), "n0", 1, 0x77,
        new SharedDiskDevice.Settings(Duration.ofMillis(300)));
    CompletableFuture<Object> result = new CompletableFuture<>();
    k.spawn("reader", EnumSet.noneOf(TaskFlag.class), () -> {
      try {
        result.complete(dead.read(5));
      } catch (Throwable t) {
        result.complete(t);
      }
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    boolean sawEdge = false;
    while (!result.isDone() && System.nanoTime() < deadline) {
      sawEdge |= k.tasks().stream().anyMatch(t -> t.name().equals("reader") && t.waitEdge() != null
          && t.waitEdge().kind() == org.jdlm.kernel.core.EdgeKind.WAITS_REPLY && t.waitEdge().targets().contains("disk:silent"));
      Thread.sleep(5);
    }
    assertThat(sawEdge).as("the reader's wait shows as waits-reply on disk:silent").isTrue();
    assertThat(result.get(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(DiskError.class, e -> {
      assertThat(e.kind()).isEqualTo(DiskError.Kind.IO);
      assertThat(e.getMessage()).contains("block 5").contains("no answer").contains("request-timeout");
    });
  }

  @Test
  void afterPreemptionTheFencedMembersWritesAreRefusedAndTheSurvivorsStillLand() throws Exception {
    List<ActorRef<SharedDisk.Command>> lun = lun("fence");
    SharedDiskDevice a = device(0, lun, "fence", 1);
    SharedDiskDevice b = device(1, lun, "fence", 1);
    a.write(1, bytes("a before"));
    b.write(2, bytes("b before"));

    SharedDiskState.Preemption p = AskPattern.<SharedDisk.Command, SharedDiskState.Preemption>ask(lun.get(1),
        r -> new SharedDisk.Preempt("n0", 1, "n1", r), TIMEOUT, cluster.system(1).scheduler())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(p).isInstanceOf(SharedDiskState.Preempted.class);

    assertThatThrownBy(() -> a.write(1, bytes("a late"))).isInstanceOfSatisfying(DiskError.class, e -> {
      assertThat(e.kind()).isEqualTo(DiskError.Kind.FENCED);
      assertThat(e.getMessage()).contains("block 1").contains("n0#1").contains("preempted");
    });
    b.write(1, bytes("b after"));
    assertThat(a.read(1)).startsWith(bytes("b after"));
    // A device for the pre-empted incarnation that never wrote is refused at registration.
    SharedDiskDevice again = device(0, lun, "fence", 1);
    assertThatThrownBy(() -> again.write(4, bytes("x"))).isInstanceOfSatisfying(DiskError.class,
        e -> assertThat(e.kind()).isEqualTo(DiskError.Kind.FENCED));
  }

  @Test
  void aFileWrittenAndFsyncedOnOneMemberIsReadOnTheOtherAndAFencedMountWithdrawsWithEio() throws Exception {
    List<ActorRef<SharedDisk.Command>> lun = lun("fs");
    SharedDiskDevice a = device(0, lun, "fs", 1);
    SharedDiskDevice b = device(1, lun, "fs", 1);
    FileSystem.mkfs(a, 2, 8, 64); // from the test thread: the plain bounded wait
    Mounted ma = mount(0, a);
    Mounted mb = mount(1, b);
    b.register(); // as the node assembly does at start: a preemptor must hold a registration
    byte[] data = new byte[3 * BS - 100];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 31 + 7);
    }
    run(ma.kernel(), () -> {
      ma.fs().mkdir("/d");
      ma.fs().create("/d/f");
      FileSystem.Handle h = ma.fs().open("/d/f");
      ma.fs().write(h, 0, data);
      ma.fs().fsync(h);
      ma.fs().close(h);
      return null;
    });
    byte[] read = run(mb.kernel(), () -> {
      FileSystem.Handle h = mb.fs().open("/d/f");
      try {
        return mb.fs().read(h, 0, data.length + 50);
      } finally {
        mb.fs().close(h);
      }
    });
    assertThat(read).isEqualTo(data);

    SharedDiskState.Preemption p = AskPattern.<SharedDisk.Command, SharedDiskState.Preemption>ask(lun.get(1),
        r -> new SharedDisk.Preempt("n0", 1, "n1", r), TIMEOUT, cluster.system(1).scheduler())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(p).isInstanceOf(SharedDiskState.Preempted.class);
    assertThatThrownBy(() -> run(ma.kernel(), () -> ma.fs().create("/d/late")))
        .isInstanceOfSatisfying(FsException.class, e -> {
          assertThat(e.errno()).isEqualTo(Errno.EIO);
          assertThat(e.getMessage()).contains("fenced");
        });
    assertThatThrownBy(() -> run(ma.kernel(), () -> ma.fs().open("/d/f")))
        .isInstanceOfSatisfying(FsException.class, e -> {
          assertThat(e.errno()).isEqualTo(Errno.EIO);
          assertThat(e.getMessage()).contains("withdrawn");
        });
    // The survivor is unaffected: it creates and reads on the same disk.
    run(mb.kernel(), () -> mb.fs().create("/d/after"));
    assertThat(run(mb.kernel(), () -> {
      FileSystem.Handle h = mb.fs().open("/d/f");
      try {
        return mb.fs().read(h, 0, data.length);
      } finally {
        mb.fs().close(h);
      }
    })).isEqualTo(data);
  }

  private record Mounted(FileSystem fs, Kernel kernel) {}

  private static Kernel kernel(String member) {
    Config c = ConfigFactory.parseString("jdlm.kernel.memory.kswapd.enabled = off\n"
            + "jdlm.kernel.memory { total-pages = 4096, page-size = 4096 }")
        .withFallback(ConfigFactory.defaultReference()).resolve();
    Kernel k = Kernel.start(member, Kernel.Settings.from(c), Kernel.systemClock(), false);
    kernels.add(k);
    return k;
  }

  private static Mounted mount(int member, SharedDiskDevice dev) throws FsException {
    Kernel k = kernel("n" + member);
    Config c = ConfigFactory.parseString("jdlm.fs.glock { hold-time = 10ms, min-hold-time = 5ms }")
        .withFallback(ConfigFactory.defaultReference()).resolve();
    ActorSystem<Void> system = cluster.system(member);
    FileSystem fs = FileSystem.mount(system, "sdfs", k, new DlmLockModule(cluster.lockspace(member)),
        cluster.lockspace(member).lvbLength(), dev, MetadataWriter.direct(dev), member, FsSettings.from(c),
        FileSettings.from(c));
    mounts.add(fs);
    return new Mounted(fs, k);
  }

  @FunctionalInterface
  private interface FsCall<T> {
    T call() throws FsException;
  }

  /** Runs {@code body} in a new kernel task of {@code k}; an FsException comes back as itself. */
  private static <T> T run(Kernel k, FsCall<T> body) throws FsException {
    CompletableFuture<T> result = new CompletableFuture<>();
    k.spawn("op", EnumSet.noneOf(TaskFlag.class), () -> {
      try {
        result.complete(body.call());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    try {
      return result.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof FsException fe) {
        throw fe;
      }
      throw new AssertionError("file operation failed", e.getCause());
    } catch (Exception e) {
      throw new AssertionError("file operation did not finish within 20 s", e);
    }
  }
}

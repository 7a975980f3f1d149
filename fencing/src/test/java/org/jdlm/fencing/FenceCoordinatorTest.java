package org.jdlm.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.jdlm.fencing.core.FenceOperation;
import org.jdlm.fencing.core.SharedDiskState;
import org.jdlm.fencing.core.WriteToken;
import org.jdlm.kernel.MemoryManager;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.MemoryBudget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class FenceCoordinatorTest {
  private static final Config CONFIG = ConfigFactory.parseString("""
      jdlm.fencing {
        retry { min-backoff = 50ms, max-backoff = 100ms }
        memory.working-bytes = 300
        agent-timeout = 5s
        authority.ask-timeout = 3s
      }
      """).withFallback(EventSourcedBehaviorTestKit.config()).withFallback(ConfigFactory.load());
  private static final ActorTestKit kit = ActorTestKit.create("fence", CONFIG);
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String N3_ADDRESS = "pekko://jdlm@127.0.0.1:25533";

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private static FenceCoordinator.Settings settings(String overrides) {
    return FenceCoordinator.Settings.fromConfig(ConfigFactory.parseString(overrides).withFallback(CONFIG));
  }

  /** 10 pages of 100 bytes; normal allocations stop below 1 free page. */
  private static ActorRef<MemoryManager.Command> smallMemory() {
    return kit.spawn(MemoryManager.create(new MemoryBudget.Settings(10, 100, new MemoryBudget.Watermarks(1, 2, 3), 8)));
  }

  private static ActorRef<FencingAuthority.Command> authority() {
    return kit.spawn(FencingAuthority.create(PersistenceId.ofUniqueId("auth-" + UUID.randomUUID()),
        FencingAuthority.Settings.fromConfig(CONFIG), Clock.systemUTC()));
  }

  private static ActorRef<SharedDisk.Command> disk() {
    return kit.spawn(SharedDisk.create(new SharedDisk.Settings("lun-" + UUID.randomUUID(),
        new SharedDiskState.Geometry(8, 64), Duration.ofSeconds(1), Duration.ofSeconds(5))));
  }

  /** Each test's coordinators find only each other, although they share one ActorSystem. */
  private static org.apache.pekko.actor.typed.receptionist.ServiceKey<FenceCoordinator.Command> group() {
    return org.apache.pekko.actor.typed.receptionist.ServiceKey.create(FenceCoordinator.Command.class, "fc-" + UUID.randomUUID());
  }

  /** An agent whose every run answers what {@code script} says (counting the runs). */
  private record Scripted(String name, AtomicInteger runs, java.util.function.IntFunction<CompletionStage<FenceAgent.Result>> script)
      implements FenceAgent {
    @Override
    public CompletionStage<Result> fence(FenceOperation.Target target) {
      return script.apply(runs.incrementAndGet());
    }
  }

  private static Scripted failing(String name) {
    return new Scripted(name, new AtomicInteger(), n -> CompletableFuture.completedFuture(
        new FenceAgent.Failed(name, "device unreachable (run " + n + ")")));
  }

  private static Scripted succeeding(String name) {
    return new Scripted(name, new AtomicInteger(), n -> CompletableFuture.completedFuture(new FenceAgent.Done(name, "ok")));
  }

  private static Scripted hanging(String name) {
    return new Scripted(name, new AtomicInteger(), n -> new CompletableFuture<>());
  }

  @Test
  void aFenceThatCannotGetMemoryWaitsAndProceedsWhenMemoryIsFreed() {
    ActorRef<MemoryManager.Command> memory = smallMemory();
    ActorRef<SharedDisk.Command> disk = disk();
    TestProbe<SharedDiskState.Registration> reg = kit.createTestProbe();
    disk.tell(new SharedDisk.Register("n1", 11, 0x11, reg.ref()));
    disk.tell(new SharedDisk.Register("n3", 33, 0x33, reg.ref()));
    reg.receiveSeveralMessages(2);

    // Something else on n1 holds 8 of 10 pages: the agent's 3 pages would go below min.
    TestProbe<MemoryManager.Reply> hog = kit.createTestProbe();
    memory.tell(new MemoryManager.Allocate(1, "dd", 800, GfpMask.KERNEL, Set.of(), hog.ref()));
    hog.expectMessage(new MemoryManager.Allocated(1, 8));

    Map<String, FenceAgent> agents = Map.of(
        "storage", new StorageAgent("storage", disk, "n1", Duration.ofSeconds(3), kit.scheduler()),
        "power", failing("power"));
    ActorRef<FenceCoordinator.Command> coordinator = kit.spawn(
        FenceCoordinator.create(settings("jdlm.fencing.agents = [storage, power]"), agents, memory, authority(), group()));
    TestProbe<FenceCoordinator.Reply> recovery = kit.createTestProbe();
    coordinator.tell(new FenceCoordinator.Fence("n3", 33, N3_ADDRESS, System.currentTimeMillis(), recovery.ref()));

    // The agent task is parked in the memory manager, visible by name, and nothing is fenced yet.
    TestProbe<MemoryManager.Usage> usage = kit.createTestProbe();
    usage.awaitAssert(WAIT, () -> {
      memory.tell(new MemoryManager.GetUsage(usage.ref()));
      assertThat(usage.receiveMessage().parkedTasks()).containsExactly(FenceTask.taskName(1));
      return null;
    });
    TestProbe<FenceCoordinator.Status> status = kit.createTestProbe();
    status.awaitAssert(WAIT, () -> {
      coordinator.tell(new FenceCoordinator.GetStatus(status.ref()));
      assertThat(status.receiveMessage().operations()).singleElement()
          .satisfies(op -> assertThat(op.state()).startsWith("awaiting-memory attempt 1 (300 bytes, KERNEL)"));
      return null;
    });
    recovery.expectNoMessage(Duration.ofMillis(200));

    memory.tell(new MemoryManager.Free(1));

    FenceCoordinator.Reply reply = recovery.receiveMessage(WAIT);
    assertThat(reply).isEqualTo(new FenceCoordinator.Fenced("n3", 33, 1, "storage"));
    // The storage fence is real: n3's later write is rejected; and the agent's memory was returned.
    TestProbe<SharedDiskState.WriteOutcome> write = kit.createTestProbe();
    disk.tell(new SharedDisk.Write("n3", 33, 0, new byte[] {1}, new WriteToken(0, 9), write.ref()));
    assertThat(write.receiveMessage()).isInstanceOfSatisfying(SharedDiskState.WriteRejected.class,
        r -> assertThat(r.refusal()).isEqualTo(SharedDiskState.WriteRefusal.KEY_REVOKED));
    usage.awaitAssert(WAIT, () -> {
      memory.tell(new MemoryManager.GetUsage(usage.ref()));
      assertThat(usage.receiveMessage().usedPages()).isZero();
      return null;
    });
  }

  @Test
  void whenEveryAgentFailsTheFenceIsRetriedEachFailureReportedAndAnOperatorAckEndsIt() {
    ActorRef<MemoryManager.Command> memory = smallMemory();
    ActorRef<FencingAuthority.Command> authority = authority();
    Scripted storage = failing("storage");
    Scripted power = failing("power");
    ActorRef<FenceCoordinator.Command> coordinator = kit.spawn(FenceCoordinator.create(
        settings("jdlm.fencing.agents = [storage, power]"), Map.of("storage", storage, "power", power), memory, authority, group()));
    TestProbe<FenceCoordinator.Reply> recovery = kit.createTestProbe();
    coordinator.tell(new FenceCoordinator.Fence("n3", 33, N3_ADDRESS, System.currentTimeMillis(), recovery.ref()));

    assertThat(recovery.receiveMessage(WAIT)).isEqualTo(
        new FenceCoordinator.FenceAttemptFailed("n3", 33, 1, "storage", "device unreachable (run 1)"));
    assertThat(recovery.receiveMessage(WAIT)).isEqualTo(
        new FenceCoordinator.FenceAttemptFailed("n3", 33, 1, "power", "device unreachable (run 1)"));
    // After the backoff the whole sequence runs again: recovery stays blocked, never told "fenced".
    assertThat(recovery.receiveMessage(WAIT)).isEqualTo(
        new FenceCoordinator.FenceAttemptFailed("n3", 33, 2, "storage", "device unreachable (run 2)"));
    assertThat(recovery.receiveMessage(WAIT)).isEqualTo(
        new FenceCoordinator.FenceAttemptFailed("n3", 33, 2, "power", "device unreachable (run 2)"));

    TestProbe<FenceCoordinator.Reply> operator = kit.createTestProbe();
    coordinator.tell(new FenceCoordinator.FenceAck("n3", 33, "alice", operator.ref()));
    FenceCoordinator.Fenced expected = new FenceCoordinator.Fenced("n3", 33, 1, "manual:alice");
    assertThat(operator.receiveMessage(WAIT)).isEqualTo(expected);
    assertThat(recovery.fishForMessage(WAIT, m -> m instanceof FenceCoordinator.Fenced
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore())).last().isEqualTo(expected);

    TestProbe<FencingAuthority.LedgerState> ledger = kit.createTestProbe();
    authority.tell(new FencingAuthority.GetState(ledger.ref()));
    assertThat(ledger.receiveMessage().fenced()).containsExactly(new FencingAuthority.FencedIncarnation("n3", 33, "manual:alice"));
    // Asking again later is answered at once from memory, with the same generation.
    TestProbe<FenceCoordinator.Reply> late = kit.createTestProbe();
    coordinator.tell(new FenceCoordinator.Fence("n3", 33, N3_ADDRESS, 0, late.ref()));
    assertThat(late.receiveMessage()).isEqualTo(expected);
    int runs = storage.runs().get();
    late.expectNoMessage(Duration.ofMillis(300));
    assertThat(storage.runs().get()).as("no retries after the ack").isEqualTo(runs);
  }

  @Test
  void aStandbyForwardsToTheLowestCoordinatorAndTakesOverWhenItGoes() {
    ActorRef<MemoryManager.Command> memory = smallMemory();
    ActorRef<FencingAuthority.Command> authority = authority();
    FenceCoordinator.Settings s = settings("jdlm.fencing.agents = [power]");
    Scripted stuck = hanging("power");
    Scripted works = succeeding("power");
    // Both share this test's system, so the path name orders them: "coord-a" acts.
    var group = group();
    ActorRef<FenceCoordinator.Command> a = kit.spawn(FenceCoordinator.create(s, Map.of("power", stuck), memory, authority, group), "coord-a");
    ActorRef<FenceCoordinator.Command> b = kit.spawn(FenceCoordinator.create(s, Map.of("power", works), memory, authority, group), "coord-b");
    TestProbe<FenceCoordinator.Status> status = kit.createTestProbe();
    status.awaitAssert(WAIT, () -> {
      b.tell(new FenceCoordinator.GetStatus(status.ref()));
      assertThat(status.receiveMessage().acting()).isFalse();
      return null;
    });

    TestProbe<FenceCoordinator.Reply> recovery = kit.createTestProbe();
    b.tell(new FenceCoordinator.Fence("n3", 33, N3_ADDRESS, 0, recovery.ref()));
    status.awaitAssert(WAIT, () -> {
      assertThat(stuck.runs().get()).isEqualTo(1);
      return null;
    });
    b.tell(new FenceCoordinator.GetStatus(status.ref()));
    assertThat(status.receiveMessage().operations()).singleElement()
        .satisfies(op -> assertThat(op.state()).startsWith("forwarded to"));
    assertThat(works.runs().get()).isZero();

    // The acting coordinator's node goes away mid-fence: the receptionist drops it and b acts.
    kit.stop(a);
    assertThat(recovery.receiveMessage(WAIT)).isEqualTo(new FenceCoordinator.Fenced("n3", 33, 1, "power"));
    assertThat(works.runs().get()).isEqualTo(1);
  }

  @Test
  void badRequestsAreRefusedWithTheReason() {
    ActorRef<FenceCoordinator.Command> coordinator = kit.spawn(FenceCoordinator.create(
        settings("jdlm.fencing { agents = [power], max-operations = 1 }"), Map.of("power", hanging("power")),
        smallMemory(), authority(), group()));
    TestProbe<FenceCoordinator.Reply> probe = kit.createTestProbe();
    coordinator.tell(new FenceCoordinator.Fence(" ", 1, N3_ADDRESS, 0, probe.ref()));
    assertThat(probe.receiveMessage()).isInstanceOfSatisfying(FenceCoordinator.FenceRefused.class,
        r -> assertThat(r.reason()).contains("blank"));
    coordinator.tell(new FenceCoordinator.Fence("n3", 1, N3_ADDRESS, 0, probe.ref()));
    coordinator.tell(new FenceCoordinator.Fence("n4", 1, N3_ADDRESS, 0, probe.ref()));
    assertThat(probe.receiveMessage()).isInstanceOfSatisfying(FenceCoordinator.FenceRefused.class,
        r -> assertThat(r.reason()).contains("max-operations = 1"));
    coordinator.tell(new FenceCoordinator.FenceAck("n3", 1, "", probe.ref()));
    assertThat(probe.receiveMessage()).isInstanceOfSatisfying(FenceCoordinator.FenceRefused.class,
        r -> assertThat(r.reason()).contains("operator"));
  }

  @Test
  void misconfiguredAgentsFailAtStartNamingTheValue() {
    assertThatThrownBy(() -> FenceCoordinator.create(settings("jdlm.fencing.agents = [ipmi]"),
        Map.of("power", succeeding("power")), smallMemory(), authority()))
        .hasMessageContaining("\"ipmi\"").hasMessageContaining("[power]");
    assertThatThrownBy(() -> settings("jdlm.fencing.memory.mask = GFP_WHATEVER"))
        .hasMessageContaining("GFP_WHATEVER").hasMessageContaining("KERNEL");
    assertThatThrownBy(() -> settings("jdlm.fencing.require = most"))
        .hasMessageContaining("jdlm.fencing.require").hasMessageContaining("most");
  }

  @Test
  void referenceConfigurationParses() {
    FenceCoordinator.Settings defaults = FenceCoordinator.Settings.fromConfig(ConfigFactory.load());
    assertThat(defaults.operation().agents()).containsExactly("storage", "power");
    assertThat(defaults.task().mask()).isEqualTo(GfpMask.KERNEL);
    assertThat(PowerAgent.Settings.fromConfig(ConfigFactory.load()).command()).containsExactly("kill", "-KILL", "{pid}");
    assertThat(SharedDisk.Settings.fromConfig(ConfigFactory.load()).geometry()).isEqualTo(new SharedDiskState.Geometry(4096, 4096));
    assertThat(Optional.of(FencingAuthority.Settings.fromConfig(ConfigFactory.load()).persistFailureMaxBackoff()))
        .hasValue(Duration.ofSeconds(30));
  }
}

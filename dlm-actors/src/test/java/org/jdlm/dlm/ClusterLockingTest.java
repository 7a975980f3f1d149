package org.jdlm.dlm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jdlm.dlm.api.DlmException;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockResult;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.SyncStatus;
import org.jdlm.dlm.dump.LockspaceDump;
import org.jdlm.dlm.testkit.InprocCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Locking across three in-process members (one cluster shared by the tests; each test uses its own
 * resource names). n1 = index 0.
 */
class ClusterLockingTest {

  private static InprocCluster cluster;
  private static LockspaceHandle n1;
  private static LockspaceHandle n2;
  private static LockspaceHandle n3;

  @BeforeAll
  static void start() {
    cluster = InprocCluster.start(3, "cl", LockspaceSettings.defaults(),
        ConfigFactory.parseString("jdlm.dlm-actors.toss-delay = 300ms"));
    n1 = cluster.lockspace(0);
    n2 = cluster.lockspace(1);
    n3 = cluster.lockspace(2);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static LockResult await(CompletionStage<LockResult> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static LockspaceDump dump(LockspaceHandle ls) throws Exception {
    return ls.dump().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static Optional<LockspaceDump.ResourceDump> mastered(LockspaceHandle ls, String name) throws Exception {
    return dump(ls).resources().stream().filter(r -> r.name().equals(name)).findFirst();
  }

  @Test
  void firstRequesterBecomesMaster() throws Exception {
    LockHandle l = n3.lock("R-first", LockMode.PR, Set.of(), null, null);
    await(l.completion());
    LockHandle other = n1.lock("R-first", LockMode.PR, Set.of(), null, null);
    await(other.completion());
    assertThat(mastered(n3, "R-first")).isPresent();
    assertThat(mastered(n3, "R-first").get().master()).isEqualTo(n3.nodeId().name());
    assertThat(mastered(n3, "R-first").get().grant()).hasSize(2);
    assertThat(mastered(n1, "R-first")).isEmpty();
    assertThat(mastered(n2, "R-first")).isEmpty();
    await(l.unlock(Set.of(), null));
    await(other.unlock(Set.of(), null));
  }

  @Test
  void remoteRequestQueuesBehindLocalExclusiveAndIsGrantedOnUnlock() throws Exception {
    LinkedBlockingQueue<LockMode> basts = new LinkedBlockingQueue<>();
    LockHandle l1 = n1.lock("R-queue", LockMode.EX, Set.of(), null, (lock, mode) -> basts.add(mode));
    assertThat(await(l1.completion()).status()).isEqualTo(CastStatus.OK);

    LockHandle l2 = n2.lock("R-queue", LockMode.EX, Set.of(), null, null);
    assertThat(basts.poll(10, TimeUnit.SECONDS)).isEqualTo(LockMode.EX);
    assertThat(l2.completion().toCompletableFuture().isDone()).isFalse();

    assertThat(await(l1.unlock(Set.of(), null)).status()).isEqualTo(CastStatus.EUNLOCK);
    LockResult granted = await(l2.completion());
    assertThat(granted.status()).isEqualTo(CastStatus.OK);
    assertThat(granted.grantedMode()).isEqualTo(LockMode.EX);
    assertThat(await(l2.unlock(Set.of(), null)).status()).isEqualTo(CastStatus.EUNLOCK);
  }

  @Test
  void blockingCallbackReachesHolderOnAnotherNodeThanTheMaster() throws Exception {
    LockHandle pin = n1.lock("R-bast", LockMode.NL, Set.of(), null, null); // n1 masters
    await(pin.completion());
    LinkedBlockingQueue<LockMode> basts = new LinkedBlockingQueue<>();
    LockHandle holder = n2.lock("R-bast", LockMode.PR, Set.of(), null, (lock, mode) -> basts.add(mode));
    await(holder.completion());
    LockHandle writer = n3.lock("R-bast", LockMode.EX, Set.of(), null, null);
    assertThat(basts.poll(10, TimeUnit.SECONDS)).isEqualTo(LockMode.EX);
    await(holder.unlock(Set.of(), null));
    assertThat(await(writer.completion()).grantedMode()).isEqualTo(LockMode.EX);
    await(writer.unlock(Set.of(), null));
    await(pin.unlock(Set.of(), null));
  }

  @Test
  void grantIsDeliveredBeforeTheBlockingCallbackOfALaterEventAcrossNodes() throws Exception {
    // TV-03 across nodes: L2 (n2) is granted PR from the wait queue and, in the same queue pass,
    // blocks L3's EX: n2 must see L2's completion before L2's BAST.
    LockHandle l1 = n1.lock("R-order", LockMode.EX, Set.of(), null, null);
    await(l1.completion());
    List<String> events = new CopyOnWriteArrayList<>();
    // Observed through the lock's completion listener, which runs on the callback thread in
    // per-lock order: a thenAccept on the stage may run in whichever thread waits in get().
    LockHandle l2 = n2.lock("R-order".getBytes(java.nio.charset.StandardCharsets.UTF_8), LockMode.PR, Set.of(), null,
        (lock, mode) -> events.add("bast " + mode), (lock, r) -> events.add("cast " + r.status()));
    // Requests from different nodes may reach the master in either order: queue L2 first.
    awaitDumpQueues("R-order", n1, 0, 1);
    LockHandle l3 = n3.lock("R-order", LockMode.EX, Set.of(), null, null);
    awaitDumpQueues("R-order", n1, 0, 2); // both queued on the master before the unlock
    await(l1.unlock(Set.of(), null));
    await(l2.completion());
    awaitCondition(() -> events.size() >= 2, "L2's BAST");
    assertThat(events).containsExactly("cast OK", "bast EX");
    await(l2.unlock(Set.of(), null));
    await(l3.completion());
    await(l3.unlock(Set.of(), null));
  }

  @Test
  void valueBlockWrittenOnOneNodeIsReadOnAnother() throws Exception {
    LockHandle pin = n3.lock("R-lvb", LockMode.NL, Set.of(), null, null); // keeps the LVB alive
    await(pin.completion());
    byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
    LockHandle writer = n1.lock("R-lvb", LockMode.EX, EnumSet.of(LockFlag.VALBLK), new byte[32], null);
    await(writer.completion());
    // semantics §1.3: EX -> NL with VALBLK writes the caller's buffer to the resource.
    LockResult down = await(writer.convert(LockMode.NL, EnumSet.of(LockFlag.VALBLK), hello));
    assertThat(down.status()).isEqualTo(CastStatus.OK);
    LockHandle reader = n2.lock("R-lvb", LockMode.PR, EnumSet.of(LockFlag.VALBLK), new byte[32], null);
    LockResult read = await(reader.completion());
    assertThat(read.lvb()).startsWith(hello).hasSize(32);
    assertThat(read.sbflags().valNotValid()).isFalse();
    await(reader.unlock(Set.of(), null));
    await(writer.unlock(Set.of(), null));
    await(pin.unlock(Set.of(), null));
  }

  @Test
  void remoteNoqueueRequestFailsWithEagainAndTheMasterCopyIsFreed() throws Exception {
    // TV-49
    LockHandle l1 = n1.lock("R-noqueue", LockMode.EX, Set.of(), null, null);
    await(l1.completion());
    LockHandle l2 = n2.lock("R-noqueue", LockMode.PR, EnumSet.of(LockFlag.NOQUEUE), null, null);
    LockResult result = await(l2.completion());
    assertThat(result.status()).isEqualTo(CastStatus.EAGAIN);
    assertThat(result.grantedMode()).isNull();
    LockspaceDump.ResourceDump r = mastered(n1, "R-noqueue").orElseThrow();
    assertThat(r.grant()).extracting(LockspaceDump.QueuedLock::owner).containsExactly(n1.nodeId().name());
    assertThat(r.convert()).isEmpty();
    assertThat(r.waiting()).isEmpty();
    assertThatThrownBy(() -> l2.unlock(Set.of(), null))
        .isInstanceOfSatisfying(DlmException.class, e -> assertThat(e.code()).isEqualTo(SyncStatus.ENOENT));
    await(l1.unlock(Set.of(), null));
  }

  @Test
  void cachedMasterIsLookedUpAgainAfterTheResourceWasTossed() throws Exception {
    LockHandle first = n2.lock("R-toss", LockMode.PR, Set.of(), null, null); // n2 masters
    await(first.completion());
    LockHandle cached = n1.lock("R-toss", LockMode.PR, Set.of(), null, null); // n1 caches n2
    await(cached.completion());
    await(cached.unlock(Set.of(), null));
    await(first.unlock(Set.of(), null));
    // toss delay 300 ms: n2 drops mastery and tells the directory node.
    awaitCondition(() -> mastered(n2, "R-toss").isEmpty(), "n2 to toss R-toss");
    LockHandle again = n1.lock("R-toss", LockMode.EX, Set.of(), null, null);
    assertThat(await(again.completion()).status()).isEqualTo(CastStatus.OK);
    // n1's cached master answered "not master"; the new lookup made n1, the first requester, master.
    assertThat(mastered(n1, "R-toss")).isPresent();
    assertThat(mastered(n2, "R-toss")).isEmpty();
    await(again.unlock(Set.of(), null));
  }

  @Test
  void conversionDeadlockAcrossNodesIsReportedToTheSecondConverter() throws Exception {
    LockHandle a = n1.lock("R-dl", LockMode.PR, Set.of(), null, null);
    await(a.completion());
    LockHandle b = n2.lock("R-dl", LockMode.PR, Set.of(), null, null);
    await(b.completion());
    CompletionStage<LockResult> aUp = a.convert(LockMode.EX, Set.of(), null);
    awaitDumpQueues("R-dl", n1, 1, 0); // a waits on the convert queue
    LockResult bUp = await(b.convert(LockMode.EX, Set.of(), null));
    assertThat(bUp.status()).isEqualTo(CastStatus.EDEADLK);
    assertThat(bUp.grantedMode()).isEqualTo(LockMode.PR);
    await(b.unlock(Set.of(), null));
    assertThat(await(aUp).grantedMode()).isEqualTo(LockMode.EX);
    await(a.unlock(Set.of(), null));
  }

  @Test
  void cancelOfARemoteWaitingRequestCompletesItWithEcancel() throws Exception {
    LockHandle holder = n1.lock("R-cancel", LockMode.EX, Set.of(), null, null);
    await(holder.completion());
    LockHandle waiter = n3.lock("R-cancel", LockMode.EX, Set.of(), null, null);
    awaitDumpQueues("R-cancel", n1, 0, 1);
    LockResult cancelled = await(waiter.cancel());
    assertThat(cancelled.status()).isEqualTo(CastStatus.ECANCEL);
    assertThat(await(waiter.completion()).status()).isEqualTo(CastStatus.ECANCEL);
    await(holder.unlock(Set.of(), null));
  }

  @Test
  void synchronousValidationErrorsAreThrownAtOnce() throws Exception {
    assertCode(() -> n1.lock(new byte[0], LockMode.PR, Set.of(), null, null), SyncStatus.EINVAL);
    assertCode(() -> n1.lock(new byte[65], LockMode.PR, Set.of(), null, null), SyncStatus.EINVAL);
    assertCode(() -> n1.lock("R-val", LockMode.PR, EnumSet.of(LockFlag.EXPEDITE), null, null), SyncStatus.EINVAL);
    assertCode(() -> n1.lock("R-val", LockMode.PR, EnumSet.of(LockFlag.VALBLK), null, null), SyncStatus.EINVAL);
    assertCode(() -> n1.lock("R-val", LockMode.PR, EnumSet.of(LockFlag.CANCEL), null, null), SyncStatus.EINVAL);
    assertCode(() -> n1.lock("R-val", LockMode.PR, EnumSet.of(LockFlag.QUECVT), null, null), SyncStatus.EINVAL);
    assertCode(() -> n1.lock("R-val", LockMode.PR, Set.of(), new byte[33], null), SyncStatus.EINVAL);
    LockHandle holder = n1.lock("R-val", LockMode.EX, Set.of(), null, null);
    await(holder.completion());
    LockHandle waiter = n2.lock("R-val", LockMode.EX, Set.of(), null, null);
    awaitDumpQueues("R-val", n1, 0, 1);
    assertCode(() -> waiter.convert(LockMode.PR, Set.of(), null), SyncStatus.EBUSY);
    assertCode(() -> holder.convert(LockMode.PR, EnumSet.of(LockFlag.QUECVT), null), SyncStatus.EINVAL);
    assertCode(() -> holder.convert(LockMode.NL, EnumSet.of(LockFlag.CONVDEADLK, LockFlag.NOQUEUE), null),
        SyncStatus.EINVAL);
    // (A second cancel while one is in flight is EINVAL; that is timing-dependent here and is
    // covered by the core's validation tests.)
    await(waiter.cancel());
    assertCode(() -> waiter.unlock(Set.of(), null), SyncStatus.ENOENT);
    assertCode(() -> holder.unlock(EnumSet.of(LockFlag.CANCEL, LockFlag.FORCEUNLOCK), null), SyncStatus.EINVAL);
    assertCode(() -> holder.unlock(EnumSet.of(LockFlag.NOQUEUE), null), SyncStatus.EINVAL);
    await(holder.unlock(Set.of(), null));
  }

  @Test
  void cancelOfAGrantedLockReturnsAtOnceWithoutCallback() throws Exception {
    LockHandle l = n2.lock("R-cancel-granted", LockMode.PR, Set.of(), null, null);
    await(l.completion());
    LockResult r = await(l.cancel());
    assertThat(r.status()).isEqualTo(CastStatus.OK);
    assertThat(r.grantedMode()).isEqualTo(LockMode.PR);
    await(l.unlock(Set.of(), null));
  }

  @Test
  void fencingTokensGrowForSuccessiveExclusiveHoldersOnDifferentNodes() throws Exception {
    LockHandle pin = n1.lock("R-token", LockMode.NL, Set.of(), null, null);
    await(pin.completion());
    LockHandle a = n2.lock("R-token", LockMode.EX, Set.of(), null, null);
    LockResult ra = await(a.completion());
    await(a.unlock(Set.of(), null));
    LockHandle b = n3.lock("R-token", LockMode.EX, Set.of(), null, null);
    LockResult rb = await(b.completion());
    assertThat(ra.token()).isNotNull();
    assertThat(rb.token()).isGreaterThan(ra.token());
    assertThat(rb.token().generation()).isEqualTo(n1.generation());
    await(b.unlock(Set.of(), null));
    await(pin.unlock(Set.of(), null));
  }

  @Test
  void fencingTokensKeepGrowingWhenTheResourceIsTossedAndMasteredElsewhere() throws Exception {
    LockResult last = null;
    for (int i = 0; i < 3; i++) {
      LockHandle l = n1.lock("R-token-toss", LockMode.EX, Set.of(), null, null); // n1 masters
      last = await(l.completion());
      await(l.unlock(Set.of(), null));
    }
    awaitCondition(() -> mastered(n1, "R-token-toss").isEmpty(), "n1 to toss R-token-toss");
    LockHandle next = n2.lock("R-token-toss", LockMode.EX, Set.of(), null, null); // n2 masters now
    LockResult r = await(next.completion());
    assertThat(mastered(n2, "R-token-toss")).isPresent();
    // A writer still holding last's token must lose against the new holder.
    assertThat(r.token()).isGreaterThan(last.token());
    await(next.unlock(Set.of(), null));
  }

  @Test
  void clusterDumpShowsEachResourceOnceWithItsQueuesAtTheMaster() throws Exception {
    LockHandle a = n2.lock("R-cdump", LockMode.PR, Set.of(), null, null); // n2 masters
    await(a.completion());
    LockHandle b = n3.lock("R-cdump", LockMode.EX, Set.of(), null, null);
    awaitDumpQueues("R-cdump", n2, 0, 1);
    LockspaceHandle.ClusterDump all = n1.clusterDump().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertThat(all.missing()).isEmpty();
    assertThat(all.dumps()).hasSize(3);
    List<LockspaceDump.ResourceDump> copies = all.dumps().stream().flatMap(d -> d.resources().stream())
        .filter(r -> r.name().equals("R-cdump")).toList();
    assertThat(copies).hasSize(1);
    assertThat(copies.get(0).master()).isEqualTo(n2.nodeId().name());
    assertThat(copies.get(0).grant()).extracting(LockspaceDump.QueuedLock::owner).containsExactly(n2.nodeId().name());
    assertThat(copies.get(0).waiting()).extracting(LockspaceDump.QueuedLock::owner)
        .containsExactly(n3.nodeId().name());
    assertThat(org.jdlm.dlm.dump.DumpRenderer.renderCluster(all.dumps())).contains("Resource \"R-cdump\" Master:"
        + n2.nodeId().name());
    await(a.unlock(Set.of(), null));
    await(b.completion());
    await(b.unlock(Set.of(), null));
  }

  @Test
  void ownerSideStateAndQuietnessFollowTheLock() throws Exception {
    LockHandle holder = n1.lock("R-state", LockMode.EX, Set.of(), null, null);
    await(holder.completion());
    assertThat(holder.state()).isEqualTo(org.jdlm.dlm.core.OwnerLockState.GRANTED);
    LockHandle waiter = n2.lock("R-state", LockMode.PR, Set.of(), null, null);
    awaitCondition(() -> waiter.state() == org.jdlm.dlm.core.OwnerLockState.WAITING, "waiter queued");
    assertThat(waiter.requestedMode()).isEqualTo(LockMode.PR);
    awaitCondition(() -> n1.isQuiet() && n2.isQuiet() && n3.isQuiet(), "all nodes quiet");
    await(holder.unlock(Set.of(), null));
    await(waiter.completion());
    assertThat(holder.state()).isEqualTo(org.jdlm.dlm.core.OwnerLockState.DESTROYED);
    await(waiter.unlock(Set.of(), null));
  }

  private static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, SyncStatus code) {
    assertThatThrownBy(call).isInstanceOfSatisfying(DlmException.class, e -> {
      assertThat(e.code()).isEqualTo(code);
      assertThat(e.reason()).isNotBlank();
    });
  }

  /** Waits until the master (on {@code master}) shows this many converting and waiting locks. */
  private static void awaitDumpQueues(String name, LockspaceHandle master, int converting, int waiting)
      throws Exception {
    awaitCondition(() -> mastered(master, name).map(r -> r.convert().size() == converting
        && r.waiting().size() == waiting).orElse(false), name + " queues C=" + converting + " W=" + waiting);
  }

  interface Check {
    boolean ok() throws Exception;
  }

  /** A bounded wait on a state that has no event of its own (queues seen through dumps). */
  static void awaitCondition(Check check, String what) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    while (!check.ok()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out after 10 s waiting for " + what);
      }
      Thread.sleep(20);
    }
  }
}

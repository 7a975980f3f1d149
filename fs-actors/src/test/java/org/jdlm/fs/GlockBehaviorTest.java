package org.jdlm.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.Effect;
import org.apache.pekko.actor.testkit.typed.javadsl.BehaviorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestInbox;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.fs.core.DlmReply;
import org.jdlm.fs.core.GlockEffect;
import org.jdlm.fs.core.GlockName;
import org.jdlm.fs.core.GlockState;
import org.jdlm.fs.core.GlockType;
import org.jdlm.fs.core.HolderId;
import org.jdlm.kernel.Kernel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link Glock} actor alone, synchronously: which effects it keeps (grants, the work timer,
 * LRU) and which it hands to the caller's task (DLM calls), and how holder outcomes reach tasks.
 */
class GlockBehaviorTest {
  private static final GlockName NAME = GlockName.of(GlockType.INODE, 0x1a2b);

  private Kernel kernel;
  private BehaviorTestKit<Glock.Command> glock;
  private TestInbox<GlockRegistry.Command> registry;
  private TestInbox<GlockRegistry.LookupReply> lookup;
  private long now;

  @BeforeEach
  void setUp() {
    kernel = FsTestKit.kernel("n1", "");
    FsSettings settings = FsTestKit.settings("");
    GlockRegistry.Context fs = new GlockRegistry.Context("fs1", settings,
        kernel.createWorkqueue("glock_workqueue-fs1", 1, false), new GlockExecutor(null, new NolockModule(),
        GlockCacheOps.NONE, settings), () -> now, 32);
    registry = TestInbox.create();
    lookup = TestInbox.create();
    glock = BehaviorTestKit.create(Glock.create(NAME, new GlockRegistry.Lookup(NAME, null, lookup.getRef()),
        registry.getRef(), fs));
  }

  @AfterEach
  void tearDown() {
    kernel.close();
  }

  @Test
  void aNewGlockAnswersTheLookupThatCreatedIt() {
    assertThat(lookup.receiveMessage()).isEqualTo(new GlockRegistry.Found(NAME, glock.getRef(), true));
  }

  @Test
  void enqueueHandsTheDlmRequestToTheCallerAndTheGrantComesAfterTheWork() {
    TestInbox<Glock.Step> caller = TestInbox.create();
    glock.run(new Glock.Enqueue(new HolderId(1), GlockState.EX, Set.of(), 42, "dd", "test", caller.getRef()));
    Glock.Step step = caller.receiveMessage();
    assertThat(step.callerWork()).singleElement().isInstanceOfSatisfying(GlockEffect.RequestDlm.class,
        r -> assertThat(r.mode()).isEqualTo(LockMode.EX));
    assertThat(step.outcome()).isNull();

    TestInbox<Glock.HolderOutcome> waiter = TestInbox.create();
    glock.run(new Glock.AwaitOutcome(new HolderId(1), waiter.getRef()));
    assertThat(waiter.hasMessages()).isFalse();

    // The lock module's completion (gdlm_ast) comes back as a message to the glock itself.
    step.lksb().callbacks().completed(new DlmReply.Granted(LockMode.EX));
    glock.getAllEffects();
    glock.run(glock.selfInbox().receiveMessage());
    assertThat(glock.getAllEffects()).anySatisfy(e -> assertThat(e).isInstanceOf(Effect.TimerScheduled.class));
    assertThat(waiter.hasMessages()).as("granted only by the work (finish_xmote)").isFalse();

    glock.run(new Glock.RunWork(caller.getRef()));
    assertThat(caller.receiveMessage().callerWork()).isEmpty();
    assertThat(waiter.receiveMessage()).isEqualTo(new Glock.Granted(new HolderId(1), GlockState.EX, Set.of(
        org.jdlm.fs.core.CacheWork.READ_DINODE)));
  }

  @Test
  void theLastHolderLeavingCachesTheLockedGlockOnTheRegistryLru() {
    TestInbox<Glock.Step> caller = TestInbox.create();
    grantEx(caller);
    glock.run(new Glock.Put(caller.getRef())); // the lookup's reference
    caller.receiveMessage();
    glock.run(new Glock.Dequeue(new HolderId(1), caller.getRef()));
    assertThat(caller.receiveMessage().callerWork()).isEmpty();
    assertThat(registry.getAllReceived()).contains(new GlockRegistry.LruChanged(new GlockEffect.AddToLru(NAME)));
  }

  @Test
  void aSecondTasksHolderIsWokenWhenTheFirstLeaves() {
    TestInbox<Glock.Step> caller = TestInbox.create();
    grantEx(caller);
    glock.run(new Glock.Enqueue(new HolderId(2), GlockState.SH, Set.of(), 43, "ls", "test", caller.getRef()));
    assertThat(caller.receiveMessage().outcome()).isNull();
    TestInbox<Glock.HolderOutcome> waiter = TestInbox.create();
    glock.run(new Glock.AwaitOutcome(new HolderId(2), waiter.getRef()));
    glock.run(new Glock.Dequeue(new HolderId(1), caller.getRef()));
    caller.receiveMessage();
    glock.run(new Glock.RunWork(caller.getRef()));
    caller.receiveMessage();
    assertThat(waiter.receiveMessage()).isInstanceOfSatisfying(Glock.Granted.class,
        g -> assertThat(g.holder()).isEqualTo(new HolderId(2)));
  }

  @Test
  void everyPublicMessageIsAPermittedRecordOrEnumOfTheProtocol() {
    // Java 17 has no exhaustive switch: list the protocol so a new message without a handler shows up here.
    assertThat(Arrays.stream(Glock.Command.class.getPermittedSubclasses())
        .filter(c -> java.lang.reflect.Modifier.isPublic(c.getModifiers())).map(Class::getSimpleName)
        .collect(Collectors.toSet())).containsExactlyInAnyOrder("Hold", "Enqueue", "AwaitOutcome", "Dequeue", "Put",
        "PutAsync", "GlopsDone", "RunWork", "Reclaim", "MarkDirty", "Dump");
  }

  @Test
  void theRegistryProtocolIsListedToo() {
    assertThat(Arrays.stream(GlockRegistry.Command.class.getPermittedSubclasses())
        .filter(c -> java.lang.reflect.Modifier.isPublic(c.getModifiers())).map(Class::getSimpleName)
        .collect(Collectors.toSet())).containsExactlyInAnyOrder("Lookup", "Bounced", "LruChanged", "GlockFreed",
        "Shrink", "Dump", "GetStats", "Unmount");
  }

  private void grantEx(TestInbox<Glock.Step> caller) {
    glock.run(new Glock.Enqueue(new HolderId(1), GlockState.EX, Set.of(), 42, "dd", "test", caller.getRef()));
    Glock.Step step = caller.receiveMessage();
    step.lksb().callbacks().completed(new DlmReply.Granted(LockMode.EX));
    glock.run(glock.selfInbox().receiveMessage());
    glock.run(new Glock.RunWork(caller.getRef()));
    caller.receiveMessage();
  }
}

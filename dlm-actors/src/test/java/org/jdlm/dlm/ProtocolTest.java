package org.jdlm.dlm;

import org.jdlm.dlm.core.ValueBlock;

import org.jdlm.dlm.core.NodeId;

import org.jdlm.dlm.core.LockId;

import org.jdlm.dlm.core.ResourceState;

import org.jdlm.dlm.core.RecoveredLock;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.UnhandledMessage;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.jdlm.common.wire.WireCheck;
import org.jdlm.common.wire.WireMessage;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.FencingToken;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.SyncStatus;
import org.jdlm.dlm.directory.ResourceName;
import org.jdlm.dlm.dump.LockspaceDump;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Style rule 4: every public message of every protocol round-trips through the wire format, and
 * every public Command has a handler (no {@link UnhandledMessage} when the actor receives it).
 */
class ProtocolTest {

  private static ActorTestKit testKit;
  private static TestProbe<Object> probe;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("proto", ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = "127.0.0.1"
        pekko.remote.artery.canonical.port = 0
        pekko.coordinated-shutdown.exit-jvm = off
        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
        """).withFallback(ConfigFactory.load()));
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    probe = testKit.createTestProbe();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static List<Class<?>> publicMessages(Class<?> sealedRoot) {
    List<Class<?>> out = new ArrayList<>();
    for (Class<?> c : sealedRoot.getPermittedSubclasses()) {
      if (!Modifier.isPublic(c.getModifiers())) {
        continue; // private timers and adapted replies never leave the actor
      }
      if (c.isSealed()) {
        out.addAll(publicMessages(c));
      } else {
        out.add(c);
      }
    }
    return out;
  }

  @Test
  void everyPublicMessageRoundTripsThroughTheWireFormat() throws Exception {
    List<Class<?>> classes = new ArrayList<>();
    classes.addAll(publicMessages(Lockspace.Command.class));
    classes.addAll(publicMessages(LockResource.Command.class));
    classes.addAll(publicMessages(LockEvent.class));
    classes.add(Lockspace.LeaveResult.class);
    classes.add(DlmGuardian.Probe.class);
    classes.addAll(List.of(LockspaceDump.class, LockspaceDump.ResourceDump.class, LockspaceDump.QueuedLock.class,
        LockspaceDump.OwnedLock.class));
    assertThat(classes).hasSizeGreaterThan(30);
    for (Class<?> c : classes) {
      Object sample = sample(c, null);
      Object copy = WireCheck.roundTrip(testKit.system(), sample);
      assertThat(deepEquals(sample, copy)).as("%s survives the wire: %s vs %s", c.getSimpleName(), sample, copy)
          .isTrue();
    }
  }

  /**
   * The recovery batches (reference.conf {@code recovery-batch-size}) must each fit in one Artery
   * frame and in the wire format's message bound, or Artery drops them and the phase barrier waits
   * forever. Worst cases: every resent lock alone on a resource with a 64-byte name, all flags, a
   * value block of the largest allowed length, a long node name and large counters; every name of
   * a lookup 64 bytes long.
   */
  @Test
  void aFullRecoveryBatchOfWorstCaseLocksOrNamesFitsInOneArteryFrame() throws Exception {
    com.typesafe.config.Config config = testKit.system().settings().config();
    DlmSettings settings = DlmSettings.fromConfig(config);
    long frame = Math.min(config.getBytes("pekko.remote.artery.advanced.maximum-frame-size"),
        config.getBytes("jdlm.wire.max-message-size"));
    long limit = frame - 4096; // headroom for Artery's envelope (sender and recipient paths)
    int n = settings.recoveryBatchSize();
    NodeId owner = new NodeId("lock-manager-node-17.storage.example.internal:65535");
    ActorRef<Lockspace.Command> ref = probe.ref().unsafeUpcast();
    List<Lockspace.RecoveredResource> resources = new ArrayList<>();
    List<ResourceName> names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] name = new byte[ResourceName.MAX_LENGTH];
      Arrays.fill(name, (byte) 0xff);
      name[0] = (byte) i;
      name[1] = (byte) (i >> 8);
      names.add(ResourceName.of(name));
      byte[] lvb = new byte[settings.maxLvbLength()];
      Arrays.fill(lvb, (byte) 0x9c);
      RecoveredLock lock = new RecoveredLock(new LockId(owner, Long.MAX_VALUE - i), ResourceState.Queue.CONVERTING,
          LockMode.PR, LockMode.EX, EnumSet.allOf(LockFlag.class), true, ValueBlock.of(lvb, settings.maxLvbLength()),
          Long.MAX_VALUE - i, new FencingToken(Long.MAX_VALUE, Long.MAX_VALUE - i));
      resources.add(new Lockspace.RecoveredResource(ResourceName.of(name), List.of(lock)));
    }
    var serialization = org.apache.pekko.serialization.SerializationExtension.get(
        org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(testKit.system()));
    List<Lockspace.Mastered> masters = List.of(new Lockspace.Mastered(ref, names.subList(0, n / 2)),
        new Lockspace.Mastered(probe.ref().unsafeUpcast(), names.subList(n / 2, n)));
    for (Object batch : List.of(new Lockspace.RecoverLocks(Long.MAX_VALUE, resources, ref),
        new Lockspace.RecoverLookup(Long.MAX_VALUE, names, ref),
        new Lockspace.RecoverLookupReply(Long.MAX_VALUE, masters, ref))) {
      int bytes = serialization.serialize(batch).get().length;
      assertThat((long) bytes).as("%s of %d items: %d bytes on the wire, frame %d", batch.getClass().getSimpleName(),
          n, bytes, frame).isLessThanOrEqualTo(limit);
    }
  }

  @Test
  void guardianJoinIsNodeLocalByDesign() {
    assertThat(WireMessage.class.isAssignableFrom(DlmGuardian.Join.class)).isFalse();
    assertThat(WireMessage.class.isAssignableFrom(DlmGuardian.Probe.class)).isTrue();
  }

  @Test
  void everyPublicCommandHasAHandler() throws Exception {
    TestProbe<UnhandledMessage> unhandled = testKit.createTestProbe();
    testKit.system().eventStream().tell(new EventStream.Subscribe<>(UnhandledMessage.class, unhandled.ref()));

    // LockResource, spawned directly (its parent is not involved in handling).
    DlmSettings settings = DlmSettings.fromConfig(testKit.system().settings().config());
    LockspaceLocal local = new LockspaceLocal("proto-r", LockspaceSettings.defaults(), settings, n -> { });
    ActorRef<LockResource.Command> resource = testKit.spawn(LockResource.create(ResourceName.of("R"),
        probe.ref().unsafeUpcast(), Lockspace.nodeIdOf(Cluster.get(testKit.system()).selfMember().address()),
        local, settings, 1, 0));
    for (Class<?> c : publicMessages(LockResource.Command.class)) {
      resource.tell((LockResource.Command) sample(c, null));
    }

    // A running Lockspace: messages that change its view (Hello, StopAck) and Leave go last, so
    // the others reach the running behaviour rather than the stopped one's stash.
    LockspaceLocal ls = (LockspaceLocal) Dlm.get(testKit.system()).joinLockspace("proto", LockspaceSettings.defaults())
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    List<Class<?>> commands = new ArrayList<>(publicMessages(Lockspace.Command.class));
    List<Class<?>> last = List.of(Lockspace.Hello.class, Lockspace.StopAck.class, Lockspace.Leave.class);
    commands.removeAll(last);
    commands.addAll(last);
    for (Class<?> c : commands) {
      ls.self().tell((Lockspace.Command) sample(c, null));
    }
    unhandled.expectNoMessage(Duration.ofMillis(500));
    local.close();
  }

  // ------------------------------------------------------------------ sample values by type

  static Object sample(Class<?> type, Type generic) throws Exception {
    if (type == long.class || type == Long.class) {
      return 1L;
    }
    if (type == int.class || type == Integer.class) {
      return 2;
    }
    if (type == boolean.class || type == Boolean.class) {
      return true;
    }
    if (type == String.class) {
      return "x";
    }
    if (type == byte[].class) {
      return new byte[] {1, 2, 3};
    }
    if (type == LockMode.class) {
      return LockMode.PW;
    }
    if (type == CastStatus.class) {
      return CastStatus.EAGAIN;
    }
    if (type == SyncStatus.class) {
      return SyncStatus.EBUSY;
    }
    if (type == FencingToken.class) {
      return new FencingToken(3, 4);
    }
    if (type == ResourceName.class) {
      return ResourceName.of("R1");
    }
    if (type == ActorRef.class) {
      return probe.ref();
    }
    if (type == LockResource.Operation.class) {
      return sample(LockResource.Request.class, null);
    }
    if (type == LockEvent.class) {
      return new LockEvent.Blocking(LockMode.EX);
    }
    if (Set.class.isAssignableFrom(type)) {
      return EnumSet.of(LockFlag.VALBLK, LockFlag.NOQUEUE);
    }
    if (List.class.isAssignableFrom(type)) {
      Type element = ((ParameterizedType) generic).getActualTypeArguments()[0];
      Class<?> raw = element instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) element;
      return List.of(sample(raw, element));
    }
    if (type == RecoveredLock.class) {
      // A granted lock resent to a new master: granted mode, no requested mode (its shape rule).
      return new RecoveredLock(new LockId(new NodeId("127.0.0.1:2552"), 7), ResourceState.Queue.GRANTED, LockMode.PR,
          null, EnumSet.of(LockFlag.VALBLK), true, ValueBlock.of(new byte[] {1, 2, 3}, 32), 4,
          new FencingToken(3, 9));
    }
    if (type.isEnum()) {
      Object[] constants = type.getEnumConstants();
      return constants[constants.length / 2];
    }
    if (type.isRecord()) {
      RecordComponent[] components = type.getRecordComponents();
      Object[] args = new Object[components.length];
      Class<?>[] types = new Class<?>[components.length];
      for (int i = 0; i < components.length; i++) {
        types[i] = components[i].getType();
        args[i] = sample(types[i], components[i].getGenericType());
      }
      var ctor = type.getDeclaredConstructor(types);
      ctor.setAccessible(true);
      return ctor.newInstance(args);
    }
    throw new AssertionError("no sample value for " + type + " — extend ProtocolTest.sample");
  }

  static boolean deepEquals(Object a, Object b) throws Exception {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.getClass().isArray()) {
      return b.getClass().isArray() && Arrays.deepEquals(new Object[] {a}, new Object[] {b});
    }
    if (a instanceof Collection<?> ca && b instanceof Collection<?> cb) {
      if (ca.size() != cb.size()) {
        return false;
      }
      var ia = ca.iterator();
      var ib = cb.iterator();
      while (ia.hasNext()) {
        if (!deepEquals(ia.next(), ib.next())) {
          return false;
        }
      }
      return true;
    }
    if (a.getClass().isRecord() && a.getClass() == b.getClass()) {
      for (RecordComponent rc : a.getClass().getRecordComponents()) {
        rc.getAccessor().setAccessible(true);
        if (!deepEquals(rc.getAccessor().invoke(a), rc.getAccessor().invoke(b))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b) || (a instanceof Map<?, ?> && a.equals(b));
  }
}

package org.jdlm.scenario.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jdlm.dlm.dump.LockspaceDump;
import org.jdlm.scenario.Mode;

/**
 * Every record that crosses the control endpoint in jvm mode decodes to what was encoded, whatever
 * its strings hold (spaces, commas, backslashes, line breaks, "-", "" and null), its byte arrays
 * (empty and null included) and its sets. Compared field by field, arrays by content.
 */
class ScenarioWireProperties {

  /** Strings that stress the escaping: the special characters are drawn often. */
  static Arbitrary<String> text() {
    Arbitrary<String> special = Arbitraries.of("-", "", " ", ",", "\\", "\\e", "\\-", "[", "]", "[]", "\n", "\r\n", "\t",
        "a b", "n1", "127.0.0.1:2551", "\u00e9\u2028");
    Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(12);
    Arbitrary<String> mixed = Combinators.combine(special, any, special).as((a, b, c) -> a + b + c);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, special), net.jqwik.api.Tuple.of(3, any), net.jqwik.api.Tuple.of(3, mixed));
  }

  static Arbitrary<String> nullableText() {
    return text().injectNull(0.15);
  }

  static Arbitrary<byte[]> bytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(40).injectNull(0.2);
  }

  static Arbitrary<Set<String>> names() {
    return text().set().ofMaxSize(4).map(Set::copyOf);
  }

  static Arbitrary<Mode> mode() {
    return Arbitraries.of(Mode.class).injectNull(0.25);
  }

  @Provide
  Arbitrary<NodeDriver.ObservedEvent> events() {
    return Combinators.combine(Arbitraries.longs(), nullableText(), nullableText(), Arbitraries.longs(),
        Arbitraries.of(NodeDriver.ObservedEvent.Kind.class), nullableText(), mode(), names())
        .flatAs((seq, node, lock, at, kind, status, mode, sb) -> Combinators.combine(bytes(), nullableText())
            .as((lvb, token) -> new NodeDriver.ObservedEvent(seq, node, lock, at, kind, status, mode, sb, lvb, token)));
  }

  @Property
  void everyObservedEventRoundTrips(@ForAll("events") NodeDriver.ObservedEvent e) {
    // Only the line's own newline goes: the last field (the token) may end in Unicode whitespace.
    String line = ScenarioWire.encodeEvent(e);
    assertThat(ScenarioWire.decodeEvent(line.substring(0, line.length() - 1))).usingRecursiveComparison().isEqualTo(e);
  }

  @Property(tries = 200)
  void aListOfEventsRoundTripsInOrder(@ForAll("eventLists") List<NodeDriver.ObservedEvent> events) {
    assertThat(ScenarioWire.decodeEvents(ScenarioWire.encodeEvents(events))).usingRecursiveComparison().isEqualTo(events);
  }

  @Provide
  Arbitrary<List<NodeDriver.ObservedEvent>> eventLists() {
    return events().list().ofMaxSize(6);
  }

  @Provide
  Arbitrary<NodeDriver.LockView> lockViews() {
    return Combinators.combine(nullableText(), nullableText(), nullableText(), mode(), mode(), bytes(), names())
        .as(NodeDriver.LockView::new).injectNull(0.1);
  }

  @Property
  void everyLockViewRoundTripsIncludingNone(@ForAll("lockViews") NodeDriver.LockView v) {
    assertThat(ScenarioWire.decodeLockView(ScenarioWire.encodeLockView(v))).usingRecursiveComparison().isEqualTo(v);
  }

  static Arbitrary<NodeDriver.QueueEntry> queueEntry() {
    return Combinators.combine(nullableText(), mode(), mode()).as(NodeDriver.QueueEntry::new);
  }

  @Provide
  Arbitrary<NodeDriver.ResourceView> resourceViews() {
    Arbitrary<List<NodeDriver.QueueEntry>> q = queueEntry().list().ofMaxSize(4);
    return Combinators.combine(nullableText(), nullableText(), nullableText(), q, q, q)
        .as(NodeDriver.ResourceView::new).injectNull(0.1);
  }

  @Property
  void everyResourceViewRoundTripsWithItsQueuesInOrder(@ForAll("resourceViews") NodeDriver.ResourceView r) {
    assertThat(ScenarioWire.decodeResourceView(ScenarioWire.encodeResourceView(r))).usingRecursiveComparison().isEqualTo(r);
  }

  @Property
  void everyActivityRoundTrips(@ForAll long handled, @ForAll long delivered, @ForAll int awaiting, @ForAll int pending) {
    NodeDriver.Activity a = new NodeDriver.Activity(handled, delivered, awaiting, pending);
    assertThat(ScenarioWire.decodeActivity(ScenarioWire.encodeActivity(a))).isEqualTo(a);
  }

  @Provide
  Arbitrary<NodeDriver.LockspaceView> lockspaceViews() {
    return Combinators.combine(nullableText(), Arbitraries.longs(), Arbitraries.longs(), names())
        .as(NodeDriver.LockspaceView::new);
  }

  @Property
  void everyLockspaceViewRoundTrips(@ForAll("lockspaceViews") NodeDriver.LockspaceView v) {
    assertThat(ScenarioWire.decodeLockspaceView(ScenarioWire.encodeLockspaceView(v))).isEqualTo(v);
  }

  @Property
  void everyCodeRoundTrips(@ForAll("codes") String code) {
    assertThat(ScenarioWire.decodeCode(ScenarioWire.encodeCode(code))).isEqualTo(code);
  }

  @Provide
  Arbitrary<String> codes() {
    return nullableText();
  }

  @Property
  void everyMemberListRoundTrips(@ForAll("memberLists") List<String> members) {
    assertThat(ScenarioWire.decodeMembers(ScenarioWire.encodeMembers(members))).isEqualTo(members);
  }

  @Provide
  Arbitrary<List<String>> memberLists() {
    return nullableText().list().ofMaxSize(5);
  }

  @Provide
  Arbitrary<List<LockspaceDump>> dumps() {
    Arbitrary<List<String>> flags = nullableText().list().ofMaxSize(3);
    Arbitrary<LockspaceDump.QueuedLock> queued = Combinators.combine(Arbitraries.longs(), nullableText(), nullableText(),
        nullableText(), flags).as(LockspaceDump.QueuedLock::new);
    Arbitrary<List<LockspaceDump.QueuedLock>> q = queued.list().ofMaxSize(3);
    Arbitrary<LockspaceDump.ResourceDump> resource = Combinators.combine(nullableText(), nullableText(), nullableText(),
        q, q, q, nullableText(), Arbitraries.longs()).flatAs((n, m, d, g, c, w, lvb, seq) -> Arbitraries.of(true, false)
        .map(invalid -> new LockspaceDump.ResourceDump(n, m, d, g, c, w, lvb, seq, invalid)));
    Arbitrary<LockspaceDump.OwnedLock> held = Combinators.combine(Arbitraries.longs(), nullableText(), nullableText(),
        nullableText(), nullableText(), nullableText(), flags, nullableText()).flatAs((id, r, m, s, g, rq, f, lvb) ->
        nullableText().map(token -> new LockspaceDump.OwnedLock(id, r, m, s, g, rq, f, lvb, token)));
    Arbitrary<LockspaceDump> dump = Combinators.combine(nullableText(), nullableText(), nullableText(), Arbitraries.longs(),
        nullableText().list().ofMaxSize(3), resource.list().ofMaxSize(3), held.list().ofMaxSize(3),
        nullableText().list().ofMaxSize(2)).as(LockspaceDump::new);
    return dump.list().ofMaxSize(3);
  }

  @Property(tries = 300)
  void everyMemberDumpRoundTripsWithResourcesQueuesAndHeldLocks(@ForAll("dumps") List<LockspaceDump> dumps) {
    assertThat(org.jdlm.member.DumpWire.decode(org.jdlm.member.DumpWire.encode(dumps))).usingRecursiveComparison().isEqualTo(dumps);
  }

  @Property
  void aFieldNeverHoldsASeparatorAfterEscaping(@ForAll("codes") String s) {
    String f = ScenarioWire.field(s);
    assertThat(f).doesNotContain(" ", ",", "\n", "\r");
    assertThat(ScenarioWire.unfield(f)).isEqualTo(s);
  }

  @Example
  void nullEmptyAndDashAreThreeDifferentFields() {
    assertThat(List.of(ScenarioWire.field(null), ScenarioWire.field(""), ScenarioWire.field("-")))
        .containsExactly("-", "\\e", "\\-");
    assertThat(ScenarioWire.list(List.of())).isEqualTo("[]");
    assertThat(ScenarioWire.list(List.of(""))).isEqualTo("[\\e]");
  }

  @Example
  void aRecordOfTheWrongKindOrShapeIsRejectedWithTheLine() {
    assertThatThrownBy(() -> ScenarioWire.decodeActivity("lockspace running 0 1 []\n"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lockspace running");
    assertThatThrownBy(() -> ScenarioWire.decodeEvent("event 1 n1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10 fields");
    // A member from before the token (nine fields) is still understood: no token.
    assertThat(ScenarioWire.decodeEvent("event 1 n1 L 5 BAST - EX [] -").token()).isNull();
    assertThatThrownBy(() -> ScenarioWire.unfield("a\\q")).hasMessageContaining("unknown escape");
  }

  @Example
  void badRequestParametersNameTheValueAndTheReason() {
    ScenarioWire.Params p = new ScenarioWire.Params(Map.of("mode", "XX", "lvb", "0g", "wait", "99", "bast", "yes"));
    assertThatThrownBy(() -> p.mode("mode")).hasMessage("bad mode 'XX' for 'mode' (expected one of NL CR CW PR PW EX)");
    assertThatThrownBy(() -> p.lvb("lvb")).hasMessageContaining("'0g'");
    assertThatThrownBy(() -> p.number("wait", 0, 0, 10)).hasMessage("parameter 'wait' = 99 is out of range 0..10");
    assertThatThrownBy(() -> p.bool("bast", true)).hasMessageContaining("'yes' is not true or false");
    assertThatThrownBy(() -> p.required("lock")).hasMessage("missing parameter 'lock'");
    assertThat(new ScenarioWire.Params(Map.of("flags", "VALBLK,NOQUEUE")).flags("flags")).containsExactly("VALBLK", "NOQUEUE");
  }
}

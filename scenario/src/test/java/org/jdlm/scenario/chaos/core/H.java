package org.jdlm.scenario.chaos.core;

import java.util.ArrayList;
import java.util.List;
import org.jdlm.dlm.core.FencingToken;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.scenario.chaos.core.Event.OpKind;
import org.jdlm.scenario.chaos.core.Event.Type;

/**
 * Builds hand-written histories for the checker tables: process {@code p} runs on member
 * {@code n<p>} (incarnation 0) unless {@link #on} says otherwise.
 */
final class H {

  private final List<Event> events = new ArrayList<>();
  private String member;
  private long incarnation;

  static H h() {
    return new H();
  }

  static FencingToken t(long counter) {
    return new FencingToken(1, counter);
  }

  static FencingToken t(long generation, long counter) {
    return new FencingToken(generation, counter);
  }

  /** The following events run on {@code member}'s {@code incarnation}. */
  H on(String member, long incarnation) {
    this.member = member;
    this.incarnation = incarnation;
    return this;
  }

  private Event.Op op(Type type, long time, int p, OpKind f, String resource) {
    return new Event.Op(type, time, 0, p, member == null ? "n" + p : member, incarnation, f, resource, null, null,
        null, null, false, null);
  }

  H acquire(int p, String resource, LockMode mode, long invoke, long ok, FencingToken token) {
    events.add(new Event.Op(Type.INVOKE, invoke, 0, p, m(p), incarnation, OpKind.ACQUIRE, resource, mode, null, null,
        null, false, null));
    events.add(new Event.Op(Type.OK, ok, 0, p, m(p), incarnation, OpKind.ACQUIRE, resource, mode, null, null, token,
        false, null));
    return this;
  }

  H acquireInfo(int p, String resource, LockMode mode, long invoke, long info) {
    events.add(new Event.Op(Type.INVOKE, invoke, 0, p, m(p), incarnation, OpKind.ACQUIRE, resource, mode, null, null,
        null, false, null));
    events.add(new Event.Op(Type.INFO, info, 0, p, m(p), incarnation, OpKind.ACQUIRE, resource, mode, null, null,
        null, false, "timeout"));
    return this;
  }

  H invoke(int p, OpKind f, String resource, long time) {
    events.add(op(Type.INVOKE, time, p, f, resource));
    return this;
  }

  H release(int p, String resource, long invoke, long ok) {
    events.add(op(Type.INVOKE, invoke, p, OpKind.RELEASE, resource));
    events.add(op(Type.OK, ok, p, OpKind.RELEASE, resource));
    return this;
  }

  H write(int p, String register, long value, FencingToken token, long invoke, long done, Type outcome) {
    events.add(op(Type.INVOKE, invoke, p, OpKind.WRITE, register).withValue(value).withToken(token));
    events.add(op(outcome, done, p, OpKind.WRITE, register).withValue(value).withToken(token));
    return this;
  }

  H writeParts(int p, String register, List<Long> parts, long invoke, long done) {
    events.add(op(Type.INVOKE, invoke, p, OpKind.WRITE, register).withParts(parts).withToken(t(invoke)));
    events.add(op(Type.OK, done, p, OpKind.WRITE, register).withParts(parts).withToken(t(invoke)));
    return this;
  }

  H readParts(int p, String register, List<Long> parts, long invoke, long done) {
    events.add(op(Type.INVOKE, invoke, p, OpKind.READ, register));
    events.add(op(Type.OK, done, p, OpKind.READ, register).withParts(parts));
    return this;
  }

  /** An increment that read {@code read} under {@code token}. */
  H inc(int p, String counter, Long read, FencingToken token, boolean valNotValid, long invoke, long done,
      Type outcome) {
    events.add(op(Type.INVOKE, invoke, p, OpKind.INCREMENT, counter));
    events.add(op(outcome, done, p, OpKind.INCREMENT, counter).withValue(read).withToken(token)
        .withValNotValid(valNotValid));
    return this;
  }

  H finalValue(String resource, long value, long time) {
    events.add(op(Type.OK, time, -1, OpKind.FINAL, resource).withValue(value));
    return this;
  }

  H finalValue(String resource, long value, boolean valNotValid, long time) {
    events.add(op(Type.OK, time, -1, OpKind.FINAL, resource).withValue(value).withValNotValid(valNotValid));
    return this;
  }

  H fenced(String member, long incarnation, long time) {
    events.add(new Event.Fenced(time, 0, member, incarnation));
    return this;
  }

  H fault(int id, FaultKind kind, long start, long end, String... targets) {
    events.add(new Event.FaultStart(start, 0, id, kind, List.of(targets), kind == FaultKind.PARTITION ? "both" : null));
    events.add(new Event.FaultEnd(end, 0, id, kind, List.of(targets)));
    return this;
  }

  H faultStart(int id, FaultKind kind, long start, String... targets) {
    events.add(new Event.FaultStart(start, 0, id, kind, List.of(targets), null));
    return this;
  }

  H event(Event e) {
    events.add(e);
    return this;
  }

  private String m(int p) {
    return member == null ? "n" + p : member;
  }

  History build() {
    return new History(events);
  }
}

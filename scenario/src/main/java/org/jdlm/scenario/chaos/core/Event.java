package org.jdlm.scenario.chaos.core;

import java.util.List;
import java.util.Objects;
import org.jdlm.dlm.core.FencingToken;
import org.jdlm.dlm.core.LockMode;

/**
 * One line of a chaos history (docs/chaos.md): a client operation's invoke or completion, a
 * fault starting or ending, or a member incarnation being fenced.
 *
 * <p>A {@link Fenced} may carry an interval instead of a moment (see {@link Fenced#earliest()}).
 *
 * <p>{@code time} is nanoseconds on the run's one monotonic clock (the collector's), so events of
 * different members compare; {@code wall} is epoch milliseconds, for people and the report only:
 * no checker reads it.
 */
public sealed interface Event permits Event.Op, Event.FaultStart, Event.FaultEnd, Event.Fenced {

  /** Nanoseconds on the run's monotonic clock. */
  long time();

  /** Epoch milliseconds, for display. */
  long wall();

  /** Where a client operation is in its life (Jepsen's invoke / ok / fail / info). */
  enum Type {
    /** The client is about to start the operation. */
    INVOKE,
    /** It certainly took effect. */
    OK,
    /** It certainly did not take effect. */
    FAIL,
    /** Unknown: it may or may not have taken effect (timeout, member gone). */
    INFO
  }

  /** What a client operation does. */
  enum OpKind {
    /** Request a lock on {@code resource} in {@code mode}; ok carries the grant's token. */
    ACQUIRE,
    /** Unlock {@code resource}. */
    RELEASE,
    /** Read the register or value {@code resource}; ok carries {@code value} or {@code parts}. */
    READ,
    /** Write {@code value} (or {@code parts}) with {@code token}: ok = accepted, fail = rejected. */
    WRITE,
    /**
     * Increment the value-block counter {@code resource} under EX: ok/info carry the value read
     * in {@code value} (the value written is one more) and whether VALNOTVALID was reported.
     */
    INCREMENT,
    /** The end-of-run read of a register or counter by the harness: {@code value} is final. */
    FINAL
  }

  /**
   * A client operation event. An invoke is completed by the next ok/fail/info of the same
   * {@code process}; a process runs one operation at a time.
   *
   * @param process     the client, unique in the run (a restarted member's clients get new ids)
   * @param member      the member the client runs on
   * @param incarnation the member's incarnation (bumped at every restart)
   * @param mode        the lock mode of an ACQUIRE, else {@code null}
   * @param value       the value read or written, or {@code null}
   * @param parts       the parts of a multi-part value (rw workload), or {@code null}
   * @param token       the fencing token of the grant (ACQUIRE ok) or of the write, or {@code null}
   * @param valNotValid true when the grant reported VALNOTVALID
   * @param error       why a fail/info happened, or {@code null}
   */
  record Op(Type type, long time, long wall, int process, String member, long incarnation, OpKind f,
      String resource, LockMode mode, Long value, List<Long> parts, FencingToken token, boolean valNotValid,
      String error) implements Event {

    public Op {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(f, "f");
      Objects.requireNonNull(resource, "resource");
      if (time < 0) {
        throw new IllegalArgumentException("event time " + time + " is negative");
      }
      parts = parts == null ? null : List.copyOf(parts);
    }

    /** This event with another type and time, the other fields kept (a completion of an invoke). */
    public Op complete(Type newType, long newTime, long newWall) {
      return new Op(newType, newTime, newWall, process, member, incarnation, f, resource, mode, value, parts, token,
          valNotValid, error);
    }

    public Op withResource(String newResource) {
      return new Op(type, time, wall, process, member, incarnation, f, newResource, mode, value, parts, token,
          valNotValid, error);
    }

    public Op withValue(Long newValue) {
      return new Op(type, time, wall, process, member, incarnation, f, resource, mode, newValue, parts, token,
          valNotValid, error);
    }

    public Op withParts(List<Long> newParts) {
      return new Op(type, time, wall, process, member, incarnation, f, resource, mode, value, newParts, token,
          valNotValid, error);
    }

    public Op withToken(FencingToken newToken) {
      return new Op(type, time, wall, process, member, incarnation, f, resource, mode, value, parts, newToken,
          valNotValid, error);
    }

    public Op withValNotValid(boolean flag) {
      return new Op(type, time, wall, process, member, incarnation, f, resource, mode, value, parts, token, flag,
          error);
    }

    public Op withError(String newError) {
      return new Op(type, time, wall, process, member, incarnation, f, resource, mode, value, parts, token,
          valNotValid, newError);
    }

    @Override
    public String toString() {
      return type + " p" + process + "@" + member + "#" + incarnation + " " + f + " " + resource
          + (mode == null ? "" : " " + mode) + (value == null ? "" : " v=" + value)
          + (parts == null ? "" : " parts=" + parts) + (token == null ? "" : " t=" + token)
          + (valNotValid ? " VALNOTVALID" : "") + (error == null ? "" : " (" + error + ")") + " @" + time;
    }
  }

  /**
   * A fault begins.
   *
   * @param id      the fault's number in its schedule; its {@link FaultEnd} carries the same id
   * @param targets the members the fault hits (for a partition: the side cut off)
   * @param detail  e.g. {@code one-way} for a partition, or {@code null}
   */
  record FaultStart(long time, long wall, int id, FaultKind kind, List<String> targets, String detail)
      implements Event {
    public FaultStart {
      Objects.requireNonNull(kind, "kind");
      targets = List.copyOf(targets);
    }
  }

  /** The fault {@code id} is healed (member restarted, resumed, partition healed, load gone). */
  record FaultEnd(long time, long wall, int id, FaultKind kind, List<String> targets) implements Event {
    public FaultEnd {
      Objects.requireNonNull(kind, "kind");
      targets = List.copyOf(targets);
    }
  }

  /**
   * The fencing authority fenced {@code member}'s {@code incarnation}: from now on storage rejects
   * its writes and a lock it held may be granted to another.
   */
  record Fenced(long time, long wall, String member, long incarnation, Long earliest) implements Event {
    public Fenced {
      Objects.requireNonNull(member, "member");
      if (earliest != null && earliest > time) {
        throw new IllegalArgumentException("fencing of " + member + "#" + incarnation + " known by " + time
            + " cannot have happened no sooner than " + earliest);
      }
    }

    /** A fencing whose moment is known exactly. */
    public Fenced(long time, long wall, String member, long incarnation) {
      this(time, wall, member, incarnation, null);
    }

    /**
     * The earliest moment the fencing may have happened: {@code time} is when it was first seen
     * (a poll of the ledger), {@code earliest} the poll before, which did not see it yet; null when
     * {@code time} is exact. Checkers that excuse a holder because it was fenced use this bound,
     * checkers that blame a write for coming after the fencing use {@code time}.
     */
    public long earliestTime() {
      return earliest == null ? time : earliest;
    }
  }
}
